import { useState } from 'react';
import { Activity, DatabaseBackup, Filter } from 'lucide-react';
import type { OperationKind, OperationState } from '../../shared/contract/index.js';
import { Button, EmptyState, ErrorBanner, Segmented, Spinner } from '../components';
import { errorDetail } from '../app/errors';
import { useRouteStore } from '../app/useRouteStore';
import { AuditTrail } from './AuditTrail';
import { InterruptedOperation } from './InterruptedBanner';
import { OperationsTable } from './OperationsTable';
import { OPERATION_STATES, stateLabel } from './operationLabels';
import { interruptedOperations, runningCount, useOperationsStore } from './useOperationsStore';

type KindFilter = OperationKind | 'all';
type StateFilter = OperationState | 'all';
type Tab = 'operations' | 'audit';

/** Rows shown at first; years of nightly backups are thousands of journals. */
const PAGE = 200;

const KINDS: { value: KindFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'backup', label: 'Backups' },
  { value: 'restore', label: 'Restores' },
  { value: 'verify', label: 'Verifies' },
];

/**
 * Every backup, restore and verify, from the journals on disk — so it shows the same after an app
 * restart — with an interrupted one offered for rollback first, and the audit trail in a second tab.
 */
export function OperationsPage() {
  const { list, error, load } = useOperationsStore();
  const navigate = useRouteStore((s) => s.navigate);
  const [tab, setTab] = useState<Tab>('operations');
  const [kind, setKind] = useState<KindFilter>('all');
  const [state, setState] = useState<StateFilter>('all');
  const [limit, setLimit] = useState(PAGE);

  const shown = (list ?? []).filter((o) => (kind === 'all' || o.kind === kind) && (state === 'all' || o.state === state));
  const running = runningCount(list);
  const interrupted = interruptedOperations(list);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 className="page-title">Operations</h1>
          <p className="page-subtitle">
            Backups, restores and verifications — running now and from before, read from their journals.
            {running > 0 && ` ${running} running.`}
          </p>
        </div>
      </header>
      <div
        className="ops-tabs"
        role="tablist"
        aria-label="Operations views"
        onKeyDown={(e) => {
          if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
          const other: Tab = tab === 'operations' ? 'audit' : 'operations';
          setTab(other);
          (e.currentTarget.querySelector(`[data-tab="${other}"]`) as HTMLElement | null)?.focus();
        }}
      >
        <button type="button" role="tab" data-tab="operations" className="ops-tab" aria-selected={tab === 'operations'} tabIndex={tab === 'operations' ? 0 : -1} onClick={() => setTab('operations')}>
          Operations
        </button>
        <button type="button" role="tab" data-tab="audit" className="ops-tab" aria-selected={tab === 'audit'} tabIndex={tab === 'audit' ? 0 : -1} onClick={() => setTab('audit')}>
          Audit trail
        </button>
      </div>
      {tab === 'audit' ? (
        <AuditTrail />
      ) : (
        <div className="ops-section" role="tabpanel" aria-label="Operations">
          {interrupted.map((op) => (
            <InterruptedOperation key={op.id} op={op} compact />
          ))}
          {error && (
            <ErrorBanner title="Could not read the operations" detail={errorDetail(error)} actions={<Button onClick={() => void load()}>Retry</Button>}>
              {error.message}
            </ErrorBanner>
          )}
          {list && list.length > 0 && (
            <div className="ops-filters">
              <Segmented label="Kind" hideLabel value={kind} onValueChange={setKind} options={KINDS} />
              <label className="ops-state-filter">
                <Filter size={14} aria-hidden className="text-faint" />
                <select className="input select" aria-label="State" value={state} onChange={(e) => setState(e.target.value as StateFilter)}>
                  <option value="all">Any state</option>
                  {OPERATION_STATES.map((s) => (
                    <option key={s} value={s}>
                      {stateLabel(s)}
                    </option>
                  ))}
                </select>
              </label>
              <span className="text-muted">
                {shown.length} of {list.length}
              </span>
            </div>
          )}
          {!list && !error ? (
            <div className="loading-row">
              <Spinner /> Reading the operation journals…
            </div>
          ) : list && list.length === 0 ? (
            <EmptyState
              icon={<Activity size={32} />}
              title="No operations yet"
              actions={
                <Button variant="primary" icon={<DatabaseBackup size={14} />} onClick={() => navigate({ page: 'overview' })}>
                  Choose a host to back up
                </Button>
              }
            >
              Back up a host or one of its compose stacks (“Back up…” on its page), or restore a snapshot from the Snapshots page.
              Each run shows up here live, and stays here afterwards with its steps and log.
            </EmptyState>
          ) : list && shown.length === 0 ? (
            <EmptyState icon={<Filter size={28} />} title="No operation matches these filters" actions={<Button onClick={() => (setKind('all'), setState('all'))}>Show all</Button>} />
          ) : (
            list && (
              <>
                <OperationsTable operations={shown.slice(0, limit)} />
                {shown.length > limit && (
                  <Button className="ops-more" onClick={() => setLimit(limit + PAGE)}>
                    Show {Math.min(PAGE, shown.length - limit)} more (of {shown.length - limit})
                  </Button>
                )}
              </>
            )
          )}
        </div>
      )}
    </div>
  );
}
