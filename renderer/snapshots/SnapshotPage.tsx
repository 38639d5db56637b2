import { useEffect, useState } from 'react';
import { traitsOf } from '../../shared/contract/source-kinds.js';
import { ArrowLeft, History, RotateCcw, ShieldCheck } from 'lucide-react';
import { Badge, Button, Card, CopyText, EmptyState, ErrorBanner, Segmented, Spinner, TrustLine } from '../components';
import { errorDetail } from '../app/errors';
import { formatBytes } from '../app/format';
import { useConnectionStore } from '../app/useConnectionStore';
import { useRouteStore } from '../app/useRouteStore';
import { useHostsStore } from '../hosts/useHostsStore';
import { FileTree } from './FileTree';
import { RowCounts } from './RowCounts';
import { BackupPanel, VerifyDialog, VerifyPanel } from './SnapshotTaskPanels';
import { databaseKindsOf } from './verifyHosts';
import { SourcesTable } from './SourcesTable';
import { useSnapshotStore } from './useSnapshotStore';
import { VerificationBadge } from './VerificationBadge';

const longTime = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

function duration(fromIso: string, toIso: string): string {
  const s = Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.round(s / 60)} min`;
}

/** One snapshot: what is in it, where it came from, and what can be done with it. */
export function SnapshotPage({ repositoryId, snapshotId }: { repositoryId: string; snapshotId: string }) {
  const client = useConnectionStore((s) => (s.state.status === 'ready' ? s.state.client : null));
  const navigate = useRouteStore((s) => s.navigate);
  const hosts = useHostsStore((s) => s.hosts);
  const st = useSnapshotStore();
  const { manifest: m, summary, trust } = st;
  const [verifyOpen, setVerifyOpen] = useState(false);
  const [verifyHost, setVerifyHost] = useState('');
  const browsable = m?.sources.filter((s) => traitsOf(s.kind)?.holds === 'files' && s.indexKey) ?? [];
  const [treeSource, setTreeSource] = useState('');
  const activeTree = browsable.find((s) => s.name === treeSource)?.name ?? browsable[0]?.name;

  useEffect(() => {
    if (client) void useSnapshotStore.getState().load(repositoryId, snapshotId);
  }, [client, repositoryId, snapshotId]);
  useEffect(() => {
    if (!client) return;
    return client.snapshots.onChanged((e) => {
      if (e.repositoryId === repositoryId && e.snapshotId === snapshotId) void useSnapshotStore.getState().load(repositoryId, snapshotId);
    });
  }, [client, repositoryId, snapshotId]);

  const back = (
    <Button variant="ghost" icon={<ArrowLeft size={14} />} onClick={() => navigate({ page: 'snapshots', repositoryId })}>
      Timeline
    </Button>
  );
  if (st.error) {
    return (
      <div className="page">
        {back}
        {st.error.code === 'NOT_FOUND' ? (
          <EmptyState title="This snapshot is not in the repository">It may have been pruned, or the link points at another repository.</EmptyState>
        ) : (
          <ErrorBanner title="Could not read this snapshot" detail={errorDetail(st.error)}>
            {st.error.message}
          </ErrorBanner>
        )}
      </div>
    );
  }
  if (!m || st.key !== `${repositoryId}/${snapshotId}`) {
    return (
      <div className="page">
        <div className="loading-row">
          <Spinner /> Reading the manifest…
        </div>
      </div>
    );
  }

  const raw = m.sources.reduce((n, s) => n + s.rawBytes, 0);
  const stored = m.sources.reduce((n, s) => n + s.storedBytes, 0);
  const hostName = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
  const databases = m.sources.filter((s) => s.rowCounts || s.databaseRowCounts);

  return (
    <div className="page snapshot-page">
      <div className="snapshot-back">{back}</div>
      <header className="page-header">
        <div className="page-heading">
          <div className="page-title-row">
            <h1 className="page-title">{m.set}</h1>
            <VerificationBadge verification={summary?.verification ?? null} />
          </div>
          <p className="page-subtitle">
            Backed up from <strong>{m.sourceHost.name}</strong> on {longTime(m.startedAt)} · took {duration(m.startedAt, m.completedAt)} · {formatBytes(raw)} raw, {formatBytes(stored)} stored
          </p>
          <div className="snapshot-meta">
            <CopyText value={m.id} label="snapshot id" />
            {m.tags.map((t) => (
              <Badge key={t} tone="accent">{t}</Badge>
            ))}
            <span className="text-faint small">{m.toolVersion}</span>
          </div>
          {m.note && <p className="snapshot-note">{m.note}</p>}
          <TrustLine trust={trust} />
        </div>
        <div className="page-actions">
          <Button icon={<ShieldCheck size={14} />} pending={st.verify.running} onClick={() => setVerifyOpen(true)} data-testid="verify-now">
            Verify now
          </Button>
          <Button icon={<History size={14} />} pending={st.backup.running} onClick={() => void st.runBackup()} data-testid="backup-now" title={`Back up ${m.set} again`}>
            Back up now
          </Button>
          <Button variant="primary" icon={<RotateCcw size={14} />} onClick={() => navigate({ page: 'restore', repositoryId, snapshotId })} data-testid="restore">
            Restore…
          </Button>
        </div>
      </header>

      <VerifyPanel task={st.verify} hostName={hostName(verifyHost)} />
      <BackupPanel task={st.backup} repositoryId={repositoryId} />
      {summary?.verification && !summary.verification.ok && (
        <ErrorBanner title={`The last verification failed (${new Date(summary.verification.at).toLocaleString()}, on ${summary.verification.hostName})`}>
          {summary.verification.error ?? 'A check did not match the manifest.'}
        </ErrorBanner>
      )}

      <Card title={`Sources (${m.sources.length})`} flush>
        <SourcesTable manifest={m} />
      </Card>

      {browsable.length > 0 && activeTree && (
        <Card
          title="Files"
          flush
          actions={
            browsable.length > 1 ? (
              <Segmented label="Source" hideLabel value={activeTree} onValueChange={setTreeSource} options={browsable.map((s) => ({ value: s.name, label: s.name }))} />
            ) : (
              <span className="text-faint">{activeTree}</span>
            )
          }
        >
          <FileTree key={activeTree} source={activeTree} />
        </Card>
      )}

      {databases.map((s) => (
        <RowCounts key={s.name} source={s} />
      ))}

      {verifyOpen && (
        <VerifyDialog
          hosts={hosts}
          sourceHostId={m.sourceHost.id}
          kinds={databaseKindsOf(m.sources)}
          onClose={() => setVerifyOpen(false)}
          onStart={(hostId) => {
            setVerifyOpen(false);
            setVerifyHost(hostId);
            void st.runVerify(hostId);
          }}
        />
      )}
    </div>
  );
}
