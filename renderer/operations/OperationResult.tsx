import { CheckCircle2, ExternalLink, Undo2, XCircle } from 'lucide-react';
import type { OperationDetail } from '../../shared/contract/index.js';
import { ErrorBanner } from '../components';
import { formatBytes } from '../app/format';
import { formatRoute } from '../app/routes';
import { formatDuration, secondsBetween } from './transferRate';
import { VerificationReport } from './VerificationReport';
import { formatWhen } from './transferRate';

/** The snapshot a backup wrote, or a restore/verify read. */
export function SnapshotLink({ repositoryId, snapshotId }: { repositoryId: string; snapshotId: string }) {
  if (!snapshotId || !repositoryId) return null;
  return (
    <a className="op-link mono" href={formatRoute({ page: 'snapshot', repositoryId, snapshotId })} data-testid="snapshot-link">
      {snapshotId}
      <ExternalLink size={12} aria-hidden />
    </a>
  );
}

/**
 * What an ended operation came to: success with its figures, or the error in plain words and what
 * the rollback put back. The verification report follows for restores and verifies.
 */
export function OperationResult({ op }: { op: OperationDetail }) {
  const seconds = secondsBetween(op.startedAt, op.endedAt);
  // The figures of a backup's result, when it has them (the operation's result is not typed per kind).
  const r = op.kind === 'backup' && typeof op.result === 'object' && op.result !== null ? (op.result as { rawBytes?: unknown; storedBytes?: unknown }) : null;
  const bytes = r && typeof r.rawBytes === 'number' && typeof r.storedBytes === 'number' ? { rawBytes: r.rawBytes, storedBytes: r.storedBytes } : null;
  return (
    <div className="op-result" data-testid="operation-result" data-state={op.state}>
      {op.state === 'succeeded' ? (
        <div className="op-result-ok">
          <CheckCircle2 size={20} aria-hidden />
          <div>
            <div className="op-result-title">
              {op.kind === 'backup' ? 'Backup complete' : op.pointInTime ? 'Recovery complete' : op.kind === 'restore' ? 'Restore complete' : 'Verification passed'}
            </div>
            <div className="text-muted">
              Took {formatDuration(seconds)}
              {bytes && ` · ${formatBytes(bytes.rawBytes)} read, ${formatBytes(bytes.storedBytes)} stored`}
              {op.pointInTime ? (
                ` · cluster ${op.pointInTime.cluster} as it was at ${formatWhen(op.pointInTime.at)}`
              ) : (
                op.snapshotId && (
                  <>
                    {' · snapshot '}
                    <SnapshotLink repositoryId={op.repositoryId} snapshotId={op.snapshotId} />
                  </>
                )
              )}
            </div>
          </div>
        </div>
      ) : (
        <ErrorBanner
          tone={op.state === 'rolled-back' || op.state === 'cancelled' ? 'warning' : 'danger'}
          title={headline(op)}
          detail={op.recovery ? `What a rollback would do: ${op.recovery}` : null}
        >
          {op.error && op.error !== 'interrupted' && <p>{op.error}</p>}
          {op.state === 'rolled-back' && <p>Everything it changed was put back as it was before.</p>}
          {op.state === 'rollback-failed' && <p>The rollback itself failed: check the target before using it.</p>}
        </ErrorBanner>
      )}
      {op.rolledBack.length > 0 && (
        <div className="op-facts" data-testid="rolled-back">
          <h3 className="op-facts-title">
            <Undo2 size={14} aria-hidden /> Put back by the rollback
          </h3>
          <ul>
            {op.rolledBack.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {op.restarted.length > 0 && (
        <div className="op-facts">
          <h3 className="op-facts-title">Containers started again</h3>
          <p className="mono">{op.restarted.join(', ')}</p>
        </div>
      )}
      {op.pointInTime && op.state === 'succeeded' && (
        <div className="op-facts">
          <h3 className="op-facts-title">
            <CheckCircle2 size={14} className="verify-ok" aria-hidden /> Verification
          </h3>
          <p className="text-muted">After the swap the server started and answered, out of recovery (the Verify step).</p>
        </div>
      )}
      {op.kind !== 'backup' && !op.pointInTime && (op.verification.length > 0 || op.state === 'succeeded') && (
        <div className="op-facts">
          <h3 className="op-facts-title">
            {op.verification.every((v) => v.ok) ? <CheckCircle2 size={14} className="verify-ok" aria-hidden /> : <XCircle size={14} className="verify-fail" aria-hidden />}
            Verification
          </h3>
          <VerificationReport checks={op.verification} />
        </div>
      )}
    </div>
  );
}

function headline(op: OperationDetail): string {
  const what = op.kind === 'backup' ? 'The backup' : op.kind === 'restore' ? 'The restore' : 'The verification';
  switch (op.state) {
    case 'rolled-back':
      return op.error === 'interrupted' ? `${what} was interrupted, then rolled back` : `${what} failed and was rolled back`;
    case 'rollback-failed':
      return `${what} failed and could not be rolled back`;
    case 'cancelled':
      return `${what} was cancelled`;
    case 'interrupted':
      return `${what} was interrupted (the app stopped while it ran)`;
    default:
      return `${what} failed`;
  }
}
