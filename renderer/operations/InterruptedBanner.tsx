import { Undo2 } from 'lucide-react';
import type { OperationSummary } from '../../shared/contract/index.js';
import { Button, ErrorBanner, ProgressBar } from '../components';
import { formatRoute } from '../app/routes';
import { useRouteStore } from '../app/useRouteStore';
import { interruptedOperations, useOperationsStore } from './useOperationsStore';
import { useRollbackStore } from './useRollbackStore';

/**
 * Shown at the top of every page when the journals hold an operation that never finished (the app
 * or the machine stopped during a restore): what state it left things in and a one-click rollback.
 */
export function InterruptedBanner() {
  const list = useOperationsStore((s) => s.list);
  const dismissed = useRollbackStore((s) => s.dismissed);
  // The operations pages show the same offer in place.
  const onOperations = useRouteStore((s) => s.route.page === 'operations' || s.route.page === 'operation');
  const pending = interruptedOperations(list).filter((o) => !dismissed[o.id]);
  if (pending.length === 0 || onOperations) return null;
  return (
    <div className="interrupted-banner" data-testid="interrupted-banner">
      {pending.map((op) => (
        <InterruptedOperation key={op.id} op={op} />
      ))}
    </div>
  );
}

export function InterruptedOperation({ op, compact }: { op: OperationSummary; compact?: boolean }) {
  const run = useRollbackStore((s) => s.runs[op.id]);
  const rollback = useRollbackStore((s) => s.rollback);
  const dismiss = useRollbackStore((s) => s.dismiss);
  return (
    <ErrorBanner
      tone="warning"
      title={`Interrupted: ${op.title}`}
      actions={
        <>
          {!compact && (
            <Button size="sm" variant="ghost" onClick={() => dismiss(op.id)} disabled={!!run}>
              Later
            </Button>
          )}
          <Button size="sm" variant="primary" icon={<Undo2 size={13} />} pending={!!run} onClick={() => void rollback(op.id, op.title)}>
            Roll back
          </Button>
        </>
      }
    >
      <p>
        Hindsight stopped while it ran (step “{op.step}” on {op.targetHostName}).{' '}
        {op.recovery ? sentence(op.recovery) : 'Rolling back puts back what it changed from its safety copy and starts the containers it stopped.'}{' '}
        <a className="op-link" href={formatRoute({ page: 'operation', id: op.id })}>
          Open the operation
        </a>
      </p>
      {run && (
        <div className="step-progress">
          <ProgressBar fraction={run.fraction} label="Rollback progress" />
          <span className="text-muted">{run.message}</span>
        </div>
      )}
    </ErrorBanner>
  );
}

/** "interrupted during restore: the targets…" → "Interrupted during restore: the targets….". */
function sentence(s: string): string {
  const t = s.trim();
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}
