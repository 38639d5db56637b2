/**
 * The steps of an operation as the run screen and the operations view show them, rebuilt from its
 * journal alone (pure): which steps ran (history), where it stopped (step / failedStep), and how
 * it ended. A restore's steps follow the state machine; a backup's are one "copy" per source and
 * then "manifest".
 */
import type { OperationStepView } from '../../../shared/contract/operations.js';
import type { BackupJournal } from '../backup/backup-journal.js';
import type { Journal, JournalStep } from '../restore/journal.js';

type StepState = OperationStepView['state'];

export const RESTORE_STEP_ORDER = ['preflight', 'stop-users', 'safety-copy', 'restore', 'verify', 'restart'] as const;
/**
 * A point-in-time recovery replays into a new volume first (the target keeps running meanwhile),
 * then swaps: the server is started and then checked, so restart comes before verify.
 */
export const PITR_STEP_ORDER = ['preflight', 'recover', 'stop-users', 'safety-copy', 'restore', 'restart', 'verify'] as const;
type RestoreStepKind = (typeof PITR_STEP_ORDER)[number];

function describeRestoreStep(kind: RestoreStepKind, j: Journal): string {
  const targets = j.targets.map((t) => t.target).join(', ');
  switch (kind) {
    case 'preflight':
      return `Pre-flight checks on ${j.targetHostName}`;
    case 'recover': {
      const p = j.pointInTime;
      return p ? `Replay cluster ${p.cluster}'s WAL to ${p.at.replace(/\.000Z$/, 'Z')} into a new volume (base backup ${p.baseId})` : 'Replay WAL into a new volume';
    }
    case 'stop-users': {
      const users = [...new Set(j.targets.flatMap((t) => t.users.map((u) => u.name)))];
      return users.length ? `Stop ${users.join(', ')}` : 'Stop the containers that use the targets';
    }
    case 'safety-copy':
      return `Copy what ${targets} ${j.targets.length === 1 ? 'holds' : 'hold'} now aside, for a rollback${j.targets.some((t) => t.safetyCopy?.startsWith('volume:')) ? ` (kept on ${j.targetHostName})` : ''}`;
    case 'restore':
      if (j.pointInTime) return `Fill ${j.targets.map((t) => t.target).join(', ')} from the recovered volume`;
      return `Restore ${j.targets.map((t) => `${t.source} into ${t.target}`).join(', ')}`;
    case 'verify':
      return j.pointInTime ? 'Check that the server answers, out of recovery' : 'Check the restored data against the snapshot';
    case 'restart':
      return 'Start the stopped containers again';
  }
}

/** When each step began and ended, from the history (a step ends when the next one begins). */
function timesOf(history: Array<{ step: string; at: string; source?: string | undefined }>, endedAt: string | null, match: (h: { step: string; source?: string | undefined }) => boolean) {
  const i = history.findIndex(match);
  if (i < 0) return {};
  let last = i;
  for (let k = i + 1; k < history.length && match(history[k]!); k++) last = k;
  const next = history[last + 1];
  const end = next?.at ?? endedAt ?? undefined;
  return { startedAt: history[i]!.at, ...(end ? { endedAt: end } : {}) };
}

/**
 * `interrupted`: the journal is still "running" but its process is gone — the step it was in is
 * shown failed.
 */
export function restoreStepsFromJournal(j: Journal, interrupted = false): OperationStepView[] {
  const entered = new Set<JournalStep>(j.history.map((h) => h.step));
  const stopAt: JournalStep | undefined = j.failedStep ?? (j.state === 'running' ? j.step : undefined);
  const order: readonly RestoreStepKind[] = j.pointInTime ? PITR_STEP_ORDER : RESTORE_STEP_ORDER;
  const stopIdx = stopAt ? order.indexOf(stopAt as RestoreStepKind) : -1;
  // Journals written before the history was kept: every step up to where it stopped counts as entered.
  if (!j.history.length) {
    const upTo = stopIdx >= 0 ? stopIdx : j.state === 'succeeded' ? order.length - 1 : -1;
    for (const k of order.slice(0, upTo + 1)) entered.add(k);
  }
  const failed = j.failedStep !== undefined || j.state === 'failed' || j.state === 'rolled-back' || j.state === 'rollback-failed' || interrupted;
  const steps: OperationStepView[] = order.map((kind, idx) => {
    let state: StepState;
    if (j.state === 'succeeded') state = entered.has(kind) ? 'done' : 'skipped';
    else if (stopIdx >= 0 && idx === stopIdx) state = failed ? 'failed' : 'running';
    else if (stopIdx >= 0 && idx > stopIdx) state = failed ? 'skipped' : notApplicable(kind, j) ? 'skipped' : 'pending';
    else if (!entered.has(kind)) state = 'skipped';
    // Data written by a step that a completed rollback then undid.
    else if (kind === 'restore' && j.state === 'rolled-back') state = 'rolled-back';
    else state = 'done';
    return { kind, description: describeRestoreStep(kind, j), state, ...timesOf(j.history, j.endedAt, (h) => h.step === kind) };
  });
  if (j.kind === 'verify' && (entered.has('rollback') || j.state === 'rolled-back' || j.state === 'failed')) {
    // A verify's "rollback" is the removal of its own throwaways: done once it ended, unless some were left.
    const state: StepState = j.state === 'running' ? (interrupted ? 'failed' : 'running') : j.leftovers?.length || j.state === 'rollback-failed' ? 'failed' : 'done';
    const left = j.leftovers?.length ? ` (not removed: ${j.leftovers.join(', ')})` : '';
    steps.push({ kind: 'rollback', description: `Remove the throwaway volumes and containers${left}`, state, ...timesOf(j.history, j.endedAt, (h) => h.step === 'rollback') });
  } else if (entered.has('rollback') || j.state === 'rolled-back' || j.state === 'rollback-failed') {
    const state: StepState = j.state === 'rolled-back' ? 'done' : j.state === 'rollback-failed' ? 'failed' : interrupted ? 'failed' : 'running';
    steps.push({ kind: 'rollback', description: 'Roll back: put the targets back as they were and start their containers', state, ...timesOf(j.history, j.endedAt, (h) => h.step === 'rollback') });
  }
  return steps;
}

function notApplicable(kind: RestoreStepKind, j: Journal): boolean {
  if (kind === 'safety-copy') return !j.safetyCopy || j.targets.every((t) => t.created);
  if (kind === 'stop-users') return j.targets.every((t) => t.created);
  return false;
}

export function backupStepsFromJournal(j: BackupJournal, interrupted = false): OperationStepView[] {
  const ended = j.state !== 'running' || interrupted;
  const stateOf = (isDone: boolean, isCurrent: boolean): StepState => {
    if (isDone) return 'done';
    if (isCurrent) return ended ? (j.state === 'succeeded' ? 'done' : 'failed') : 'running';
    return ended ? 'skipped' : 'pending';
  };
  const steps: OperationStepView[] = j.sources.map((source) => ({
    kind: 'copy',
    source,
    description: `Copy ${source} into the repository`,
    state: stateOf(j.doneSources.includes(source) || j.state === 'succeeded', j.step === 'copy' && j.currentSource === source),
    ...timesOf(j.history, j.endedAt, (h) => h.step === 'copy' && h.source === source),
  }));
  steps.push({
    kind: 'manifest',
    description: 'Check every object and write the manifest (the snapshot exists from then on)',
    state: stateOf(j.state === 'succeeded', j.step === 'manifest'),
    ...timesOf(j.history, j.endedAt, (h) => h.step === 'manifest'),
  });
  return steps;
}
