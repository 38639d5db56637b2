/**
 * A TEST-ONLY switch for e2e tests of failures (a restore that fails mid-way and rolls back):
 * HINDSIGHT_TEST_FAULT=<kind>:<step>[,<kind>:<step>…] — e.g. "restore:verify" — makes the restore
 * runner throw at the start of that step (after its journal was written), so the run fails there and
 * rolls back like a real failure would. <kind> is restore or verify; <step> a journal step
 * (preflight, stop-users, safety-copy, restore, verify, restart). Honoured only together with
 * HINDSIGHT_TEST_FAULTS_ENABLED=1, and announced loudly on stderr. Wired by the web server only.
 */
import { JournalStep, type Journal } from '../core/restore/journal.js';
import type { RestoreDeps } from '../core/restore/runner.js';

export interface Fault {
  kind: Journal['kind'];
  step: JournalStep;
}

export function parseFaults(spec: string): Fault[] {
  const out: Fault[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [kind, step, ...rest] = part.split(':');
    if (rest.length || (kind !== 'restore' && kind !== 'verify') || !JournalStep.safeParse(step).success) {
      throw new Error(`HINDSIGHT_TEST_FAULT: "${part}" is not <restore|verify>:<step> (steps: ${JournalStep.options.join(', ')})`);
    }
    out.push({ kind, step: step as JournalStep });
  }
  return out;
}

/** The runner hook for the env, or undefined when no fault is asked for (or faults are not enabled). */
export function faultHookFromEnv(env: NodeJS.ProcessEnv, warn: (message: string) => void = console.warn): RestoreDeps['beforeStep'] {
  const spec = env.HINDSIGHT_TEST_FAULT?.trim();
  if (!spec) return undefined;
  if (env.HINDSIGHT_TEST_FAULTS_ENABLED !== '1') {
    warn(`HINDSIGHT_TEST_FAULT is set but ignored: test faults need HINDSIGHT_TEST_FAULTS_ENABLED=1 as well.`);
    return undefined;
  }
  const faults = parseFaults(spec);
  warn(`!!! TEST-ONLY FAULT INJECTION ON: every ${faults.map((f) => `${f.kind} fails at step ${f.step}`).join(', ')} (HINDSIGHT_TEST_FAULT=${spec}). Never use this with real data. !!!`);
  return (step, journal) => {
    if (faults.some((f) => f.kind === journal.kind && f.step === step)) {
      throw new Error(`Test fault injected at the start of step ${step} (HINDSIGHT_TEST_FAULT=${spec})`);
    }
  };
}
