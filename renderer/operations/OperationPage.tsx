import { useEffect, useState } from 'react';
import { ChevronLeft } from 'lucide-react';
import type { AuditRecord } from '../../shared/contract/index.js';
import { Card, StatusPill } from '../components';
import { formatRoute } from '../app/routes';
import { useConnectionStore } from '../app/useConnectionStore';
import { InterruptedOperation } from './InterruptedBanner';
import { OperationView } from './OperationView';
import { SnapshotLink } from './OperationResult';
import { KindIcon, kindLabel, stateLabel, stateTone } from './operationLabels';
import { formatDuration, formatWhen, secondsBetween } from './transferRate';
import { useOperationsStore } from './useOperationsStore';

/** One operation: the live view, then the facts (snapshot, target, audit record, raw journal). */
export function OperationPage({ id }: { id: string }) {
  const op = useOperationsStore((s) => s.list?.find((o) => o.id === id));
  const listLoaded = useOperationsStore((s) => !!s.list);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <a className="op-link op-breadcrumb" href={formatRoute({ page: 'operations' })}>
            <ChevronLeft size={14} aria-hidden /> Operations
          </a>
          <div className="page-title-row">
            {op && <KindIcon kind={op.kind} size={20} />}
            <h1 className="page-title">{op?.title ?? (listLoaded ? 'Operation not found' : 'Operation')}</h1>
            {op && (
              <StatusPill tone={stateTone(op.state)} testId="operation-state">
                {stateLabel(op.state)}
              </StatusPill>
            )}
          </div>
          <p className="page-subtitle mono">{id}</p>
        </div>
      </header>
      {op?.state === 'interrupted' && <InterruptedOperation op={op} compact />}
      <OperationView operationId={id} showHeader={false} />
      {op && <OperationFacts id={id} />}
    </div>
  );
}

function OperationFacts({ id }: { id: string }) {
  const op = useOperationsStore((s) => s.list?.find((o) => o.id === id))!;
  const client = useConnectionStore((s) => (s.state.status === 'ready' ? s.state.client : null));
  const [audit, setAudit] = useState<AuditRecord[] | null>(null);
  const [journal, setJournal] = useState<unknown>(null);
  const ended = op.state !== 'running';

  useEffect(() => {
    if (!client || !ended) return;
    client.operations.audit({ text: id, limit: 20 }).then((r) => setAudit(r.filter((a) => a.operationId === id)), () => setAudit([]));
    client.operations.get({ id }).then((d) => setJournal(d.journal), () => {});
  }, [client, id, ended]);

  return (
    <Card title="Details" data-testid="operation-details">
      <dl className="op-detail-facts">
        <dt>Kind</dt>
        <dd>{kindLabel(op.kind)}</dd>
        <dt>{op.kind === 'backup' ? 'Source host' : 'Target host'}</dt>
        <dd>{op.targetHostName}</dd>
        <dt>{op.kind === 'backup' ? 'Sources' : 'Targets'}</dt>
        <dd className="mono">{op.targets.join(', ') || '—'}</dd>
        <dt>{op.pointInTime ? 'Recovered to' : 'Snapshot'}</dt>
        <dd>{op.pointInTime ? `cluster ${op.pointInTime.cluster} at ${op.pointInTime.at}` : op.snapshotId ? <SnapshotLink repositoryId={op.repositoryId} snapshotId={op.snapshotId} /> : '—'}</dd>
        <dt>Repository</dt>
        <dd className="mono">{op.repositoryId}</dd>
        <dt>Started</dt>
        <dd>{formatWhen(op.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>{op.endedAt ? `${formatWhen(op.endedAt)} (took ${formatDuration(secondsBetween(op.startedAt, op.endedAt))})` : 'still running'}</dd>
        <dt>Audit record</dt>
        <dd data-testid="audit-record">
          {!ended
            ? 'written when it ends'
            : audit === null
              ? '…'
              : audit.length === 0
                ? 'none found'
                : audit.map((a) => (
                    <div key={`${a.kind}/${a.endedAt}`}>
                      {kindLabel(a.kind)} by <strong>{a.user}</strong> from {a.from} to {a.to}: {a.result}
                      {a.error ? ` — ${a.error}` : ''} ({formatWhen(a.endedAt)})
                    </div>
                  ))}
        </dd>
      </dl>
      {journal != null && (
        <details className="banner-details">
          <summary>Raw journal</summary>
          <pre className="op-journal">{JSON.stringify(journal, null, 2)}</pre>
        </details>
      )}
    </Card>
  );
}
