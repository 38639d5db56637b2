import { useEffect, useState } from 'react';
import { CheckCircle2, ExternalLink, RotateCcw, ShieldOff, XCircle } from 'lucide-react';
import type { OperationDetail } from '../../../shared/contract/index.js';
import { ErrorBanner } from '../../components';
import { errorDetail } from '../../app/errors';
import { formatRoute } from '../../app/routes';
import { requireClient } from '../../app/useConnectionStore';
import { VerificationReport } from '../../operations';
import { formatDuration } from '../summary';
import { useRestoreWizardStore } from '../useRestoreWizardStore';

/** Step 7: verified or not, in one headline; what was restarted, how long; on failure what the rollback put back and why. */
export function ResultStep() {
  const { outcome, run, choices, plan } = useRestoreWizardStore();
  const hostName = plan.status === 'ready' ? plan.value.targetHost.name : 'The target';
  const operationId = outcome ? (outcome.ok ? outcome.result.operationId : outcome.operationId) : null;
  const [detail, setDetail] = useState<OperationDetail | null>(null);

  useEffect(() => {
    if (!operationId) return;
    let live = true;
    requireClient()
      .operations.get({ id: operationId })
      .then((d) => live && setDetail(d))
      .catch(() => {}); // the result itself is enough; the journal only adds what a failure rolled back
    return () => {
      live = false;
    };
  }, [operationId]);

  if (!outcome) return <p className="text-muted">The restore has not ended yet.</p>;
  const verification = outcome.ok ? outcome.result.verification : (detail?.verification ?? []);
  const restarted = outcome.ok && outcome.result.restarted.length ? outcome.result.restarted : (detail?.restarted ?? []);
  const rolledBack = !outcome.ok ? (detail?.rolledBack ?? []) : outcome.result.rolledBack;
  const measured = outcome.ok && outcome.result.seconds ? outcome.result.seconds : run ? (Date.now() - run.startedAt) / 1000 : 0;
  const verified = outcome.ok && outcome.result.state === 'succeeded' && verification.every((v) => v.ok);

  return (
    <div className="wizard-stack" data-testid="restore-result" data-outcome={verified ? 'passed' : 'failed'}>
      {verified ? (
        <div className="rw-result-headline is-ok" role="status">
          <CheckCircle2 size={28} aria-hidden />
          <div>
            <div className="rw-result-title">Restore complete — verification passed</div>
            <div className="text-muted">
              Every target matches the snapshot. Took {formatDuration(measured)}.
            </div>
          </div>
        </div>
      ) : (
        <div className="rw-result-headline is-failed" role="alert">
          <XCircle size={28} aria-hidden />
          <div>
            <div className="rw-result-title">{!outcome.ok && outcome.cancelled ? 'Restore cancelled' : 'Restore failed'}{rolledBack.length || detail?.state === 'rolled-back' ? ' — rolled back' : ''}</div>
            <div className="text-muted">{!outcome.ok ? plainError(outcome.error.message) : 'The verification found differences.'}</div>
          </div>
        </div>
      )}
      {!outcome.ok && (
        <ErrorBanner
          tone={detail?.state === 'rolled-back' || outcome.cancelled ? 'warning' : 'danger'}
          title={detail?.state === 'rolled-back' || outcome.cancelled ? `${hostName} is as it was before` : detail?.state === 'rollback-failed' ? 'The rollback failed too' : 'What happened'}
          detail={errorDetail(outcome.error)}
        >
          {detail?.state === 'rolled-back' || outcome.cancelled
            ? 'Everything the restore had changed was put back as it was before.'
            : detail?.state === 'rollback-failed'
              ? 'The rollback itself failed: check the target before using it.'
              : 'Open the operation for its log.'}
        </ErrorBanner>
      )}

      <div className="rw-result-facts">
        {rolledBack.length > 0 && (
          <div className="rw-result-fact" data-testid="result-rolled-back">
            <h3>
              <RotateCcw size={14} aria-hidden /> Put back by the rollback
            </h3>
            <ul>
              {rolledBack.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </div>
        )}
        <div className="rw-result-fact">
          <h3>Containers started again</h3>
          <p className="mono" data-testid="result-restarted">{restarted.length ? restarted.join(', ') : 'none needed'}</p>
        </div>
        <div className="rw-result-fact">
          <h3>Time taken</h3>
          <p data-testid="result-time">{formatDuration(measured)}</p>
        </div>
        {!choices.safetyCopy && (
          <div className="rw-result-fact">
            <h3>
              <ShieldOff size={14} aria-hidden /> Without a safety copy
            </h3>
            <p>“{choices.safetyReason}”</p>
          </div>
        )}
        {operationId && (
          <div className="rw-result-fact">
            <h3>Operation and audit record</h3>
            <a className="link mono" href={formatRoute({ page: 'operation', id: operationId })} data-testid="result-operation-link">
              {operationId} <ExternalLink size={12} aria-hidden />
            </a>
          </div>
        )}
      </div>

      <section aria-label="Verification">
        <h3 className="rw-result-section-title">Verification against the snapshot</h3>
        {verification.length === 0 && !outcome.ok ? <p className="text-muted">The restore stopped before its verification.</p> : <VerificationReport checks={verification} />}
      </section>
    </div>
  );
}

/** The engine's message without its operation prefix ("Restore <id> failed: …"). */
function plainError(message: string): string {
  return message.replace(/^Restore \S+ failed: /, '');
}
