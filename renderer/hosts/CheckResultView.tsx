import { Check, CheckCircle2, Circle, X } from 'lucide-react';
import type { CheckResult, CheckStep } from '../../shared/contract/index.js';
import { ErrorBanner, Spinner, cx } from '../components';
import { STEP_LABEL, explainFailure, stepsFor, type Target } from './checkSteps';

/** The chain of steps a connection check walks, marking where it stopped. */
function Steps({ type, result, running }: { type: 'ssh' | 'local'; result?: CheckResult; running?: boolean }) {
  const steps = stepsFor(type);
  const failedAt = result && !result.ok ? steps.indexOf(result.step) : -1;
  return (
    <ol className="check-steps" aria-label="Connection steps">
      {steps.map((s: CheckStep, i) => {
        const state = running ? 'pending' : result?.ok ? 'ok' : failedAt === -1 ? 'pending' : i < failedAt ? 'ok' : i === failedAt ? 'failed' : 'skipped';
        return (
          <li key={s} className={cx('check-step', `check-step-${state}`)} aria-label={`${STEP_LABEL[s]}: ${state}`}>
            {state === 'ok' ? <Check size={12} /> : state === 'failed' ? <X size={12} /> : running ? <Spinner size={10} /> : <Circle size={10} />}
            <span>{STEP_LABEL[s]}</span>
          </li>
        );
      })}
    </ol>
  );
}

interface Props {
  type: 'ssh' | 'local';
  target: Target;
  result?: CheckResult;
  running?: boolean;
}

/**
 * What a connection check found. The host-key prompt is rendered by the caller (it needs the
 * accept action); here a 'hostkey' failure only shows the steps.
 */
export function CheckResultView({ type, target, result, running }: Props) {
  if (running) {
    return (
      <div className="check-result" aria-live="polite">
        <div className="check-running">
          <Spinner size={14} /> Testing the connection…
        </div>
        <Steps type={type} running />
      </div>
    );
  }
  if (!result) return null;
  if (result.ok) {
    return (
      <div className="check-result check-ok" role="status" aria-live="polite">
        <div className="check-ok-title">
          <CheckCircle2 size={18} aria-hidden /> Connection OK
        </div>
        <div className="check-ok-facts">
          <span>
            Docker <strong data-testid="docker-version">{result.dockerVersion}</strong>
          </span>
          <span>API {result.apiVersion}</span>
          <span>{result.os}</span>
          <span>
            <strong>{Math.round(result.latencyMs)} ms</strong> round trip
          </span>
        </div>
      </div>
    );
  }
  const { title, advice } = explainFailure(result, target);
  return (
    <div className="check-result" aria-live="polite">
      <Steps type={type} result={result} />
      {result.step !== 'hostkey' && (
        <ErrorBanner title={title} detail={`${result.code} (step: ${result.step})\n${result.message}`}>
          {advice}
        </ErrorBanner>
      )}
    </div>
  );
}
