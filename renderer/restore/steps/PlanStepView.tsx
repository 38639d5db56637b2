import { useEffect, useState } from 'react';
import { AlertTriangle, Clock, HardDriveDownload, ShieldCheck, ShieldOff, XCircle } from 'lucide-react';
import { Badge, CommandBlock, ErrorBanner, Spinner } from '../../components';
import { errorDetail } from '../../app/errors';
import { formatBytes } from '../../app/format';
import { formatEstimate } from '../summary';
import { useRestoreWizardStore } from '../useRestoreWizardStore';
import { inputKey } from '../wizardModel';
import { SafetyCopyDialog } from './SafetyCopyDialog';

const STEP_WORDS: Record<string, string> = {
  preflight: 'Check',
  'stop-users': 'Stop',
  'safety-copy': 'Safety copy',
  restore: 'Restore',
  verify: 'Verify',
  restart: 'Restart',
};

/** Step 4: restore.plan — the ordered steps with the commands a person would type, bytes, estimate; the safety copy switch. */
export function PlanStepView() {
  const { choices, plan, loadPlan, set } = useRestoreWizardStore();
  const [asking, setAsking] = useState(false);
  const key = inputKey(choices);
  const current = plan.status !== 'idle' && plan.key === key;

  useEffect(() => {
    if (!current) void loadPlan();
  }, [current, loadPlan]);

  const p = current && plan.status === 'ready' ? plan.value : null;
  return (
    <div className="wizard-stack">
      <div className={`safety-switch${choices.safetyCopy ? '' : ' is-off'}`}>
        {choices.safetyCopy ? <ShieldCheck size={18} aria-hidden /> : <ShieldOff size={18} aria-hidden />}
        <div className="safety-text">
          <label htmlFor="safety-copy" className="safety-title">
            Safety copy {choices.safetyCopy ? 'on' : 'off'}
          </label>
          <div className="text-muted">
            {choices.safetyCopy
              ? 'What will be overwritten is copied aside first, so a failure (or Cancel) puts it back.'
              : <>No copy: a failure cannot be rolled back. Reason noted: “{choices.safetyReason}”</>}
          </div>
        </div>
        <input
          id="safety-copy"
          type="checkbox"
          role="switch"
          className="switch"
          checked={choices.safetyCopy}
          onChange={(e) => (e.target.checked ? set({ safetyCopy: true, safetyReason: '' }) : setAsking(true))}
        />
      </div>
      {asking && (
        <SafetyCopyDialog
          onCancel={() => setAsking(false)}
          onConfirm={(reason) => {
            setAsking(false);
            set({ safetyCopy: false, safetyReason: reason });
          }}
        />
      )}

      {(!current || plan.status === 'loading') && (
        <div className="loading-row">
          <Spinner /> Planning…
        </div>
      )}
      {current && plan.status === 'error' && <ErrorBanner title="Could not plan this restore" detail={errorDetail(plan.error)}>{plan.error.message}</ErrorBanner>}
      {p && (
        <>
          <div className="plan-facts">
            <span>
              <HardDriveDownload size={15} aria-hidden /> <strong data-testid="plan-bytes">{formatBytes(p.bytes)}</strong> to move
            </span>
            <span>
              <Clock size={15} aria-hidden /> <strong data-testid="plan-estimate">{formatEstimate(p.estimatedSeconds)}</strong>
            </span>
            <span className="text-muted">
              {p.steps.length} steps onto {p.targetHost.name}
            </span>
          </div>
          {p.blockers.map((b) => (
            <p key={b} className="wizard-blocker" role="alert">
              <XCircle size={14} aria-hidden /> {b}
            </p>
          ))}
          {p.targetHost.protected && (
            <p className="wizard-warning">
              <AlertTriangle size={14} aria-hidden /> {p.targetHost.name} is protected: you will type its name at the next step to confirm.
            </p>
          )}
          {/* The plan was asked "as if confirmed" for a protected host: its "confirmed by name" note is not true yet. */}
          {p.warnings.filter((w) => !/is protected; confirmed by name/.test(w)).map((w) => (
            <p key={w} className="wizard-warning">
              <AlertTriangle size={14} aria-hidden /> {w}
            </p>
          ))}
          <ol className="plan-steps" aria-label="Plan steps">
            {p.steps.map((s, i) => (
              <li key={`${s.kind}/${s.source ?? ''}/${i}`} className="plan-step">
                <div className="plan-step-head">
                  <span className="plan-step-no">{i + 1}</span>
                  <Badge tone={s.kind === 'restore' ? 'accent' : s.kind === 'safety-copy' ? 'success' : s.kind === 'stop-users' ? 'warning' : 'neutral'}>{STEP_WORDS[s.kind] ?? s.kind}</Badge>
                  <span className="plan-step-desc">{s.description}</span>
                </div>
                {s.commands.length > 0 && <CommandBlock commands={s.commands} label={`commands of step ${i + 1}`} />}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
