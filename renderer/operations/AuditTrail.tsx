import { useEffect, useState } from 'react';
import { ScrollText, Search } from 'lucide-react';
import type { AuditRecord } from '../../shared/contract/index.js';
import { EmptyState, ErrorBanner, Spinner, StatusPill, Table, TextInput, type Column } from '../components';
import { errorDetail, toErrorInfo, type ErrorInfo } from '../app/errors';
import { formatRoute } from '../app/routes';
import { useConnectionStore } from '../app/useConnectionStore';
import { KindIcon, kindLabel } from './operationLabels';
import { formatWhen } from './transferRate';
import { useOperationsStore } from './useOperationsStore';

const SEARCH_DELAY_MS = 250;

const resultTone = (r: string) => (r === 'succeeded' ? 'success' : r === 'rolled-back' || r === 'cancelled' ? 'warning' : 'danger');

/**
 * The audit trail (audit.jsonl): who ran what, from where to where, and how it ended — searched on
 * the backend (operations.audit text), so it works however long the file grows.
 */
export function AuditTrail() {
  const client = useConnectionStore((s) => (s.state.status === 'ready' ? s.state.client : null));
  // A new operation adds a record: refetch when the list changes.
  const listVersion = useOperationsStore((s) => s.list);
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [records, setRecords] = useState<AuditRecord[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  useEffect(() => {
    const t = setTimeout(() => setQuery(text.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [text]);

  useEffect(() => {
    if (!client) return;
    let stale = false;
    client.operations.audit({ ...(query ? { text: query } : {}), limit: 500 }).then(
      (r) => {
        if (stale) return;
        setRecords(r);
        setError(null);
      },
      (e) => !stale && setError(toErrorInfo(e)),
    );
    return () => {
      stale = true;
    };
  }, [client, query, listVersion]);

  const columns: Column<AuditRecord>[] = [
    { key: 'when', header: 'When', width: '190px', render: (r) => <span className="ops-time">{formatWhen(r.startedAt)}</span> },
    {
      key: 'kind',
      header: 'What',
      width: '120px',
      render: (r) => (
        <span className="ops-title-cell">
          <KindIcon kind={r.kind} size={14} />
          {kindLabel(r.kind)}
        </span>
      ),
    },
    { key: 'from', header: 'From', render: (r) => r.from },
    { key: 'to', header: 'To', render: (r) => r.to },
    {
      key: 'snapshot',
      header: 'Snapshot',
      render: (r) =>
        // A point-in-time recovery names its cluster and moment ("pitr:…"), not a snapshot to open.
        r.snapshotId.startsWith('pitr:') ? (
          <span className="mono">{r.snapshotId}</span>
        ) : r.snapshotId ? (
          <a className="op-link mono" href={formatRoute({ page: 'snapshot', repositoryId: r.repositoryId, snapshotId: r.snapshotId })}>
            {r.snapshotId}
          </a>
        ) : (
          '—'
        ),
    },
    { key: 'user', header: 'User', width: '100px', render: (r) => r.user },
    {
      key: 'result',
      header: 'Result',
      width: '130px',
      render: (r) => (
        <a href={formatRoute({ page: 'operation', id: r.operationId })} title={r.error ?? 'Open the operation'}>
          <StatusPill tone={resultTone(r.result)}>{r.result}</StatusPill>
        </a>
      ),
    },
  ];

  return (
    <div className="ops-section" data-testid="audit-trail">
      <div className="ops-filters">
        <div className="filter-box audit-search">
          <Search size={14} aria-hidden />
          <TextInput aria-label="Search the audit trail" placeholder="Search: host, snapshot, user, result…" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        {records && <span className="text-muted">{records.length === 500 ? 'the newest 500 records' : `${records.length} record${records.length === 1 ? '' : 's'}`}</span>}
      </div>
      {error && (
        <ErrorBanner title="Could not read the audit trail" detail={errorDetail(error)}>
          {error.message}
        </ErrorBanner>
      )}
      {!records && !error ? (
        <div className="loading-row">
          <Spinner /> Reading the audit trail…
        </div>
      ) : records && records.length === 0 ? (
        <EmptyState icon={<ScrollText size={28} />} title={query ? `Nothing in the audit trail matches “${query}”` : 'The audit trail is empty'}>
          {query ? 'Try a host name, a snapshot id or a result such as “rolled-back”.' : 'Every backup, restore, verify and rollback leaves a record here once it ends.'}
        </EmptyState>
      ) : (
        records && (
          <div className="audit-table">
            <Table label="Audit trail" columns={columns} rows={records} rowKey={(r) => `${r.operationId}/${r.kind}/${r.endedAt}`} rowLabel={(r) => `${r.kind} ${r.result}`} />
          </div>
        )
      )}
    </div>
  );
}
