import { useEffect, useMemo, useState } from 'react';
import { DatabaseBackup, PackageOpen } from 'lucide-react';
import { ManageRepositoriesLink } from '../repositories/ManageRepositoriesLink';
import type { BackupResult, Compression, DiscoveredSource, RepositoryConfig } from '../../shared/contract/index.js';
import { Button, Checkbox, Dialog, EmptyState, ErrorBanner, Segmented, SelectField, Spinner } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { useConnectionStore } from '../app/useConnectionStore';
import { OperationView, SnapshotLink } from '../operations';
import { safeSetName, sourceKey } from './sourceKey';
import { SourceChecklist } from './SourceChecklist';
import { useBackupDialogStore, type BackupTarget } from './useBackupDialogStore';

const COMPRESSIONS: { value: Compression; label: string; title: string }[] = [
  { value: 'zstd', label: 'zstd', title: 'Fast and small (recommended)' },
  { value: 'gzip', label: 'gzip', title: 'Slower, readable by any tool' },
];

type Run = { taskId: string; result: BackupResult | null; error: ErrorInfo | null };

/** The open "Back up…" dialog, if any (mounted once on the host page). */
export function BackupDialogHost() {
  const target = useBackupDialogStore((s) => s.target);
  const close = useBackupDialogStore((s) => s.close);
  if (!target) return null;
  return <BackupDialog key={`${target.host.id}/${target.stack ?? ''}`} target={target} onClose={close} />;
}

/**
 * Back up a host or one of its compose stacks now: what backup.discover found (recommended sources
 * ticked), where to (repository), how (compression, stop containers while copying) — then the run
 * itself, live, in the same dialog. Closing it while it runs leaves the backup running; it stays on
 * the Operations page and a notification says when it ends.
 */
function BackupDialog({ target, onClose }: { target: BackupTarget; onClose: () => void }) {
  const client = useConnectionStore((s) => (s.state.status === 'ready' ? s.state.client : null));
  const { host, stack } = target;
  const [sources, setSources] = useState<DiscoveredSource[] | null>(null);
  const [repos, setRepos] = useState<RepositoryConfig[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [ticked, setTicked] = useState<Record<string, boolean>>({});
  const [repositoryId, setRepositoryId] = useState('');
  const [compression, setCompression] = useState<Compression>('zstd');
  const [stopContainers, setStopContainers] = useState(false);
  const [starting, setStarting] = useState(false);
  const [run, setRun] = useState<Run | null>(null);

  useEffect(() => {
    if (!client) return;
    let stale = false;
    Promise.all([client.backup.discover({ hostId: host.id, ...(stack ? { stack } : {}) }), client.repositories.list({})]).then(
      ([found, repositories]) => {
        if (stale) return;
        setSources(found);
        setTicked(Object.fromEntries(found.map((s) => [sourceKey(s.spec), s.recommended])));
        setRepos(repositories);
        setRepositoryId((id) => id || repositories[0]?.id || '');
      },
      (e) => !stale && setError(toErrorInfo(e)),
    );
    return () => {
      stale = true;
    };
  }, [client, host.id, stack]);

  const chosen = useMemo(() => (sources ?? []).filter((s) => ticked[sourceKey(s.spec)]), [sources, ticked]);
  const setName = stack ?? safeSetName(host.name);

  const start = async () => {
    if (!client || chosen.length === 0 || !repositoryId) return;
    setStarting(true);
    setError(null);
    try {
      const { taskId, result } = await client.backup.run({ hostId: host.id, repositoryId, sources: chosen.map((s) => s.spec), set: setName, compression, stopContainers });
      setRun({ taskId, result: null, error: null });
      result.then(
        (r) => setRun({ taskId, result: r, error: null }),
        (e) => setRun({ taskId, result: null, error: toErrorInfo(e) }),
      );
    } catch (e) {
      setError(toErrorInfo(e));
    } finally {
      setStarting(false);
    }
  };

  const what = stack ? `stack ${stack} on ${host.name}` : host.name;
  const footer = !sources ? (
    <Button onClick={onClose}>Close</Button>
  ) : run ? (
    <>
      {run.result && (
        <span className="backup-done" data-testid="backup-done">
          Snapshot <SnapshotLink repositoryId={repositoryId} snapshotId={run.result.snapshotId} />
        </span>
      )}
      <Button variant={run.result || run.error ? 'primary' : 'secondary'} onClick={onClose}>
        {run.result || run.error ? 'Done' : 'Run in the background'}
      </Button>
    </>
  ) : (
    <>
      <Button variant="ghost" onClick={onClose}>
        Cancel
      </Button>
      <Button variant="primary" icon={<DatabaseBackup size={14} />} pending={starting} disabled={chosen.length === 0 || !repositoryId} onClick={() => void start()}>
        Back up {chosen.length} source{chosen.length === 1 ? '' : 's'}
      </Button>
    </>
  );

  return (
    <Dialog size="lg" title={`Back up ${what}`} description={run ? undefined : `Filed under the backup set “${setName}”.`} onClose={onClose} footer={footer}>
      {error && (
        <ErrorBanner title={sources ? 'Could not start the backup' : 'Could not look at this host'} detail={errorDetail(error)}>
          {error.message}
        </ErrorBanner>
      )}
      {run ? (
        <div className="backup-running">
          {/* A failure shows in the view itself: the failed step and the error, or "It did not start". */}
          <OperationView taskId={run.taskId} />
        </div>
      ) : !sources && !error ? (
        <div className="loading-row">
          <Spinner /> Looking for volumes and databases{stack ? ` in stack ${stack}` : ''}…
        </div>
      ) : sources && sources.length === 0 ? (
        <EmptyState icon={<PackageOpen size={28} />} title="Nothing to back up here">
          No named volumes or database containers were found{stack ? ` in stack ${stack}` : ' on this host'}. Bind mounts are not backed up; use named volumes for data you want to keep.
        </EmptyState>
      ) : (
        sources && (
          <div className="form">
            <fieldset className="form-section">
              <legend className="field-label">What</legend>
              <SourceChecklist sources={sources} ticked={ticked} onChange={setTicked} />
            </fieldset>
            <div className="backup-options">
              <SelectField
                label="Repository"
                value={repositoryId}
                onValueChange={setRepositoryId}
                options={(repos ?? []).map((r) => ({ value: r.id, label: `${r.name} (${r.kind})` }))}
                hint={<ManageRepositoriesLink onNavigate={onClose}>{repos?.length ? 'Manage repositories' : 'No repository yet: add one'}</ManageRepositoriesLink>}
              />
              <div className="field">
                <span className="field-label">Compression</span>
                <Segmented label="Compression" hideLabel value={compression} onValueChange={setCompression} options={COMPRESSIONS} />
              </div>
            </div>
            <Checkbox
              label="Stop containers while copying"
              description="The containers using a volume are stopped during its copy and started again afterwards, whatever happens. Safer for files that change; databases are dumped live either way."
              checked={stopContainers}
              onCheckedChange={setStopContainers}
            />
          </div>
        )
      )}
    </Dialog>
  );
}
