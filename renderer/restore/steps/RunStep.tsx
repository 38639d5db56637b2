import { Info } from 'lucide-react';
import { ErrorBanner, ProgressBar, Spinner } from '../../components';
import { errorDetail } from '../../app/errors';
import { OperationView } from '../../operations';
import { useRestoreWizardStore } from '../useRestoreWizardStore';

/** Step 6: the run, live (steps with bytes/rate/ETA, the operation's log); Cancel rolls back. */
export function RunStep() {
  const run = useRestoreWizardStore((s) => s.run);
  const outcome = useRestoreWizardStore((s) => s.outcome);
  if (!run) {
    if (outcome && !outcome.ok) {
      return (
        <ErrorBanner title="The restore did not start" detail={errorDetail(outcome.error)}>
          {outcome.error.message}
        </ErrorBanner>
      );
    }
    return (
      <div className="loading-row">
        <Spinner /> Starting…
      </div>
    );
  }
  // An ended run that failed keeps its bar where it got to, coloured, with the state in words.
  const failed = outcome != null && !outcome.ok;
  const tone = outcome == null ? undefined : outcome.ok ? 'success' : 'warning';
  return (
    <div className="wizard-stack">
      {!outcome && (
        <p className="run-hint">
          <Info size={14} aria-hidden />
          You can leave this page: the restore goes on, and Operations shows it. <strong>Cancel</strong> stops it and rolls back — what it had changed is
          put back from the safety copy and the stopped containers are started again.
        </p>
      )}
      {outcome && <p className="run-hint">It has ended — Next shows the result{outcome.ok ? ' and the verification' : ' and what was rolled back'}.</p>}
      <div className="run-overall">
        <span className="run-overall-label">Overall</span>
        <ProgressBar fraction={run.fraction} label="Restore overall" tone={tone} />
        <span className="mono run-overall-pct" data-testid="run-overall-pct">
          {run.fraction == null ? '…' : `${Math.round(run.fraction * 100)} %`}
        </span>
        <span className="run-overall-message text-muted">{failed ? (outcome.cancelled ? 'Cancelled — rolled back' : 'Failed — see the steps and the log') : run.message}</span>
      </div>
      <OperationView taskId={run.taskId} />
    </div>
  );
}
