import type { OperationSummary } from '../../shared/contract/index.js';
import { ProgressBar, StatusPill, Table, type Column } from '../components';
import { formatRoute } from '../app/routes';
import { KindIcon, stateLabel, stateTone } from './operationLabels';
import { formatDuration, formatWhen, secondsBetween } from './transferRate';
import { useNow } from './useNow';

/** Running and past operations, newest first, each linking to its page. */
export function OperationsTable({ operations }: { operations: OperationSummary[] }) {
  const now = useNow(operations.some((o) => o.state === 'running'));
  const columns: Column<OperationSummary>[] = [
    {
      key: 'title',
      header: 'Operation',
      render: (o) => (
        <span className="ops-title-cell">
          <KindIcon kind={o.kind} />
          <a href={formatRoute({ page: 'operation', id: o.id })}>{o.title}</a>
        </span>
      ),
    },
    {
      key: 'state',
      header: 'State',
      width: '130px',
      render: (o) => (
        <StatusPill tone={stateTone(o.state)} title={o.error}>
          {stateLabel(o.state)}
        </StatusPill>
      ),
    },
    {
      key: 'progress',
      header: 'Progress',
      width: '220px',
      render: (o) =>
        o.state === 'running' ? (
          <div className="ops-progress-cell">
            <ProgressBar fraction={o.progress?.fraction ?? null} label={`Progress of ${o.title}`} />
            <div className="ops-progress-text" title={o.progress?.message}>
              {o.progress?.message || o.step}
            </div>
          </div>
        ) : (
          <span className="ops-progress-text" title={o.error ?? o.recovery}>
            {o.error ?? (o.state === 'interrupted' ? (o.recovery ?? `stopped at ${o.step}`) : `${o.targets.length} ${o.kind === 'backup' ? 'source' : 'target'}${o.targets.length === 1 ? '' : 's'}`)}
          </span>
        ),
    },
    { key: 'host', header: 'Host', width: '120px', render: (o) => o.targetHostName },
    { key: 'started', header: 'Started', width: '190px', render: (o) => <span className="ops-time">{formatWhen(o.startedAt)}</span> },
    {
      key: 'duration',
      header: 'Duration',
      width: '110px',
      align: 'right',
      render: (o) => <span className="ops-time">{formatDuration(secondsBetween(o.startedAt, o.endedAt, now))}</span>,
    },
  ];
  return (
    <div className="ops-table">
      <Table label="Operations" columns={columns} rows={operations} rowKey={(o) => o.id} rowLabel={(o) => o.title} />
    </div>
  );
}
