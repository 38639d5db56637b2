import { useEffect, useRef, type KeyboardEvent, type ReactElement } from 'react';
import { ArrowLeft, ArrowRight, Play } from 'lucide-react';
import { Button, Stepper } from '../components';
import { useConnectionStore } from '../app/useConnectionStore';
import { useHostsStore } from '../hosts/useHostsStore';
import { ConfirmStep } from './steps/ConfirmStep';
import { PlanStepView } from './steps/PlanStepView';
import { PreflightStep } from './steps/PreflightStep';
import { ResultStep } from './steps/ResultStep';
import { RunStep } from './steps/RunStep';
import { WhatStep } from './steps/WhatStep';
import { WhereStep } from './steps/WhereStep';
import { useRestoreWizardStore } from './useRestoreWizardStore';
import { blockedReason, furthestOpen, STEPS, stepIndex, type StepContext, type StepId } from './wizardModel';

const BODY: Record<StepId, () => ReactElement> = {
  what: WhatStep,
  where: WhereStep,
  preflight: PreflightStep,
  plan: PlanStepView,
  confirm: ConfirmStep,
  run: RunStep,
  result: ResultStep,
};

/** Targets whose Enter is theirs (a button presses, a textarea breaks a line, a field submits its own search). */
function enterBelongsTo(el: HTMLElement): boolean {
  if (el.closest('[data-enter="own"]')) return true;
  const tag = el.tagName;
  return tag === 'BUTTON' || tag === 'TEXTAREA' || tag === 'A' || tag === 'SELECT' || el.getAttribute('role') === 'radio' || el.closest('dialog') !== null;
}

/**
 * The restore wizard (issue 4 §3): one step a screen, choices kept in useRestoreWizardStore while
 * going back and forth. Keyboard: Enter = next when the step allows it, Alt+← / Alt+→ = back / next;
 * focus moves to the step's heading on every step change.
 */
export function RestoreWizard({ repositoryId, snapshotId, asOf }: { repositoryId?: string | undefined; snapshotId?: string | undefined; asOf?: string | undefined }) {
  const ready = useConnectionStore((s) => s.state.status === 'ready');
  const step = useRestoreWizardStore((s) => s.step);
  const reached = useRestoreWizardStore((s) => s.reached);
  const go = useRestoreWizardStore((s) => s.go);
  const start = useRestoreWizardStore((s) => s.start);
  const outcome = useRestoreWizardStore((s) => s.outcome);
  const running = useRestoreWizardStore((s) => s.step === 'run' && !s.outcome);
  const hosts = useHostsStore((s) => s.hosts);
  const state = useRestoreWizardStore();
  const ctx: StepContext = {
    choices: state.choices,
    manifest: state.manifest.status === 'ready' ? state.manifest.value : null,
    trust: state.trust.status === 'ready' && state.trust.key === state.choices.snapshotId ? state.trust.value : null,
    host: hosts.find((h) => h.id === state.choices.targetHostId) ?? null,
    preflight: state.preflight.status === 'ready' ? { key: state.preflight.key, checks: state.preflight.value.checks } : null,
    plan: state.plan.status === 'ready' ? { key: state.plan.key, plan: state.plan.value } : null,
  };
  const blocked = blockedReason(step, ctx);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const index = stepIndex(step);

  useEffect(() => {
    if (ready) useRestoreWizardStore.getState().open({ repositoryId, snapshotId, asOf });
  }, [ready, repositoryId, snapshotId, asOf]);

  useEffect(() => {
    headingRef.current?.focus();
  }, [step]);

  const canBack = index > 0 && step !== 'run' && step !== 'result';
  const canNext = !blocked && step !== 'result' && !running;
  const back = () => canBack && go(STEPS[index - 1]!.id);
  const next = () => {
    if (!canNext) return;
    if (step === 'confirm') void start();
    else if (step === 'run') go('result');
    else go(STEPS[index + 1]!.id);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.defaultPrevented) return;
    if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      e.preventDefault();
      if (e.key === 'ArrowLeft') back();
      else next();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey && !enterBelongsTo(e.target as HTMLElement)) {
      // Confirming the run itself stays a deliberate click or Enter on the button.
      if (step === 'confirm') return;
      e.preventDefault();
      next();
    }
  };

  const Body = BODY[step];
  const meta = STEPS[index]!;
  return (
    <div className="page restore-wizard" onKeyDown={onKeyDown}>
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">Restore</h1>
          <p className="page-subtitle">Put a snapshot back onto a host — checked first, copied aside, verified after.</p>
        </div>
      </header>
      <Stepper label="Restore steps" steps={STEPS} current={index} reachable={Math.min(furthestOpen(reached, ctx), stepIndex('confirm'))} locked={step === 'run' || step === 'result'} onSelect={(i) => go(STEPS[i]!.id)} />
      <section className="wizard-panel" aria-labelledby="wizard-step-heading">
        <h2 id="wizard-step-heading" className="wizard-step-title" tabIndex={-1} ref={headingRef}>
          <span className="wizard-step-number">Step {index + 1} of {STEPS.length}</span>
          {meta.title}
        </h2>
        <div className="wizard-body">{ready ? <Body /> : null}</div>
      </section>
      <footer className="wizard-footer">
        <Button icon={<ArrowLeft size={14} />} onClick={back} disabled={!canBack} aria-keyshortcuts="Alt+ArrowLeft">
          Back
        </Button>
        <span className="wizard-blocked" role="status">
          {step !== 'result' && step !== 'run' ? blocked : null}
        </span>
        {step === 'confirm' ? (
          <Button variant="primary" icon={<Play size={14} />} onClick={next} disabled={!canNext}>
            Start the restore
          </Button>
        ) : step === 'result' ? (
          <Button variant="secondary" onClick={() => useRestoreWizardStore.getState().reset()}>
            Start another restore
          </Button>
        ) : (
          <Button variant="primary" onClick={next} disabled={!canNext} aria-keyshortcuts="Enter Alt+ArrowRight">
            <span className="btn-label-with-icon">
              {step === 'run' ? (outcome ? 'See the result' : 'Running…') : 'Next'}
              <ArrowRight size={14} aria-hidden />
            </span>
          </Button>
        )}
      </footer>
    </div>
  );
}
