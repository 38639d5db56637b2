import { CheckCircle2, Circle, MinusCircle, Undo2, XCircle } from 'lucide-react';
import type { OperationProgress, OperationStepView } from '../../shared/contract/index.js';
import { ProgressBar, Spinner, cx } from '../components';
import { formatBytes } from '../app/format';
import { etaSeconds, formatDuration, secondsBetween } from './transferRate';
import { stepLabel, type StepState } from './operationLabels';

const STATE_WORD: Record<StepState, string> = {
  pending: 'waiting',
  running: 'running',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
  'rolled-back': 'rolled back',
};

function StepIcon({ state }: { state: StepState }) {
  switch (state) {
    case 'running':
      return <Spinner size={14} />;
    case 'done':
      return <CheckCircle2 size={16} className="step-icon-done" aria-hidden />;
    case 'failed':
      return <XCircle size={16} className="step-icon-failed" aria-hidden />;
    case 'skipped':
      return <MinusCircle size={16} className="step-icon-skipped" aria-hidden />;
    case 'rolled-back':
      return <Undo2 size={16} className="step-icon-rolled-back" aria-hidden />;
    default:
      return <Circle size={16} className="step-icon-pending" aria-hidden />;
  }
}

/** The running step's progress: bar, bytes, rate and time left. */
export function StepProgress({ progress, rate }: { progress: OperationProgress | null; rate: number | null }) {
  const eta = etaSeconds(progress?.bytesDone, progress?.bytesTotal, rate);
  const fraction = progress?.fraction ?? (progress?.bytesDone != null && progress.bytesTotal ? Math.min(1, progress.bytesDone / progress.bytesTotal) : null);
  return (
    <div className="step-progress" data-testid="step-progress">
      <ProgressBar fraction={fraction} label={progress?.message || 'Progress'} />
      <div className="step-progress-facts">
        <span className="step-progress-message">{progress?.message || 'Working…'}</span>
        {progress?.bytesDone != null && (
          <span className="mono">
            {formatBytes(progress.bytesDone)}
            {progress.bytesTotal ? ` of ${formatBytes(progress.bytesTotal)}` : ''}
          </span>
        )}
        {rate != null && <span className="mono">{formatBytes(rate)}/s</span>}
        {eta != null && <span>about {formatDuration(eta)} left</span>}
        {fraction != null && <span className="mono step-progress-pct">{Math.round(fraction * 100)} %</span>}
      </div>
    </div>
  );
}

/**
 * The operation's steps in order, each with its state; the running one carries the progress.
 * Before the journal lists steps (the first instants of a run), one row stands for the whole run.
 */
export function StepList({ steps, progress, rate, running }: { steps: OperationStepView[]; progress: OperationProgress | null; rate: number | null; running: boolean }) {
  const rows: OperationStepView[] = steps.length
    ? steps
    : [{ kind: progress?.step ?? 'run', description: running ? 'Starting…' : 'Run', state: running ? 'running' : 'done' }];
  const current = pickCurrent(rows, progress);
  return (
    <ol className="step-list" aria-label="Steps">
      {rows.map((s, i) => {
        const took = s.startedAt ? secondsBetween(s.startedAt, s.endedAt ?? null) : null;
        return (
          <li key={`${s.kind}/${s.source ?? ''}/${i}`} className={cx('step', `step-${s.state}`)} data-state={s.state} data-testid="operation-step">
            <span className="step-icon">
              <StepIcon state={s.state} />
            </span>
            <div className="step-body">
              <div className="step-title-row">
                <span className="step-title">{stepLabel(s.kind)}</span>
                {s.source && <span className="step-source mono">{s.source}</span>}
                <span className="step-state">{STATE_WORD[s.state]}</span>
                {took != null && s.state !== 'pending' && <span className="step-time">{formatDuration(took)}</span>}
              </div>
              <div className="step-description">{s.description}</div>
              {i === current && running && <StepProgress progress={progress} rate={rate} />}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** The step the live progress belongs to: the one it names, else the one the journal says runs. */
function pickCurrent(steps: OperationStepView[], progress: OperationProgress | null): number {
  if (progress?.step) {
    const named = steps.findIndex((s) => s.kind === progress.step && (!progress.source || !s.source || s.source === progress.source) && s.state === 'running');
    if (named >= 0) return named;
  }
  const running = steps.findIndex((s) => s.state === 'running');
  if (running >= 0) return running;
  return steps.findIndex((s) => s.state === 'pending');
}
