import { Check } from 'lucide-react';
import { cx } from './cx';

export interface StepperItem {
  id: string;
  label: string;
}

interface StepperProps {
  label: string;
  steps: ReadonlyArray<StepperItem>;
  /** Index of the step on screen. */
  current: number;
  /** Steps up to this index may be clicked to go back to them (none while `locked`). */
  reachable: number;
  onSelect?: (index: number) => void;
  /** While something runs, the steps are shown but cannot be clicked. */
  locked?: boolean;
}

/** A numbered row of steps: done ones carry a check, the current one is highlighted. */
export function Stepper({ label, steps, current, reachable, onSelect, locked }: StepperProps) {
  return (
    <nav aria-label={label} className="stepper">
      <ol className="stepper-list">
        {steps.map((s, i) => {
          const state = i < current ? 'done' : i === current ? 'current' : 'todo';
          const clickable = !locked && !!onSelect && i !== current && i <= reachable;
          const body = (
            <>
              <span className="stepper-marker" aria-hidden>
                {state === 'done' ? <Check size={12} strokeWidth={3} /> : i + 1}
              </span>
              <span className="stepper-label">{s.label}</span>
            </>
          );
          return (
            <li key={s.id} className={cx('stepper-item', `is-${state}`)} aria-current={state === 'current' ? 'step' : undefined}>
              {clickable ? (
                <button type="button" className="stepper-button" onClick={() => onSelect(i)} aria-label={`Step ${i + 1}: ${s.label}`}>
                  {body}
                </button>
              ) : (
                <span className="stepper-button" aria-label={`Step ${i + 1}: ${s.label}${state === 'done' ? ' (done)' : ''}`}>
                  {body}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
