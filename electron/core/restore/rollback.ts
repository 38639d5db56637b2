/**
 * Undoing a restore: each touched target put back from its safety copy (or a volume the restore
 * created removed; a verify's throwaways removed, touched or not), then the users started again.
 * runRestore (runner.ts) rolls back a run that failed; `rollbackOperation` does it for a journal
 * an interrupted process left behind, as `recoveryAction` says.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { OperationState } from '../../../shared/contract/restore.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { engineId } from '../docker/engine-id.js';
import type { Engine } from '../docker/engine.js';
import { restartUsers, stopUsers } from '../sources/index.js';
import { appendAudit, osUser } from './audit.js';
import { putBack, removeCreated } from './data-moves.js';
import { readJournal, recoveryAction, writeJournal, type Journal } from './journal.js';
import type { RestoreDeps } from './restore-deps.js';
import { discardSafetyCopies } from './safety-sweep.js';
import { messageOf, say } from './task-notes.js';
import { removeThrowaway } from './throwaway.js';

/** Starts the users of every target again, in their former state; the names started. */
export async function restartAll(engine: Engine, journal: Journal, note: (m: string, l?: 'info' | 'warn' | 'error') => void): Promise<string[]> {
  const started: string[] = [];
  for (const t of journal.targets) {
    if (!t.users.length) continue;
    const out = await restartUsers(engine, { volume: t.target, users: t.users });
    started.push(...out.restored);
    note(`Started again: ${out.restored.join(', ') || 'none needed'} (${t.target})`);
  }
  return started;
}

export interface RollbackOutcome {
  state: Extract<OperationState, 'rolled-back' | 'rollback-failed'>;
  actions: string[];
  problems: string[];
}

/** How a verify's cleanup went, in words (for its error message). */
export function throwawayOutcome(outcome: RollbackOutcome): string {
  const done = outcome.actions.length ? outcome.actions.join('; ') : 'nothing had been made yet';
  return outcome.problems.length ? `${done}; NOT REMOVED (remove by hand): ${outcome.problems.join('; ')}` : done;
}

/**
 * Puts touched targets back (safety copy, or remove a volume we created), then restarts the users.
 * A verify's targets are all throwaways: each is removed, touched or not (throwaway.ts). Never throws.
 */
export async function rollBack(configDir: string, engine: Engine, journal: Journal, note: (m: string, l?: 'info' | 'warn' | 'error') => void): Promise<RollbackOutcome> {
  const actions: string[] = [];
  const problems: string[] = [];
  const throwaway = journal.kind === 'verify';
  const touched = throwaway ? journal.targets : journal.targets.filter((t) => t.touched);
  if (throwaway) delete journal.leftovers;
  if (touched.length || journal.targets.some((t) => t.users.length)) {
    journal.step = 'rollback';
    journal.history.push({ step: 'rollback', at: new Date().toISOString() });
    // The journal may be unwritable (disk full): roll back anyway.
    await writeJournal(configDir, journal).catch(() => undefined);
  }
  for (const t of touched) {
    try {
      if (throwaway) {
        actions.push(await removeThrowaway(engine, t, journal.id));
        t.touched = false;
        note(`Removed ${t.target}`);
        continue;
      }
      if (t.created) {
        actions.push(await removeCreated(engine, t));
      } else if (t.safetyCopy) {
        // A crash after the restart step (a point-in-time recovery starts its server before it
        // checks it) can leave users running on the restored data: never put back under them.
        if (t.kind === 'volume' && t.users.length) await stopUsers(engine, t.target);
        actions.push(await putBack(engine, { ...t, safetyCopy: t.safetyCopy }));
      } else {
        problems.push(`${t.target} has no safety copy and may hold a partial restore`);
        continue;
      }
      t.touched = false;
      note(`Rolled back ${t.target}`);
    } catch (e) {
      problems.push(`${t.target}: ${messageOf(e)}`);
      if (throwaway) journal.leftovers = [...(journal.leftovers ?? []), t.target];
      note(`Could not ${throwaway ? 'remove' : 'roll back'} ${t.target}: ${messageOf(e)}`, 'error');
    }
  }
  try {
    const before = journal.targets.reduce((n, t) => n + t.users.filter((u) => u.state !== 'stopped').length, 0);
    journal.restarted.push(...(await restartAll(engine, journal, note)));
    if (before) actions.push(`restarted ${before} container(s)`);
  } catch (e) {
    problems.push(messageOf(e));
  }
  return { state: problems.length ? 'rollback-failed' : 'rolled-back', actions, problems };
}

/**
 * Rolls back an operation whose process is gone (found at start as "interrupted"), following
 * `recoveryAction`. Refuses one that is running in this process or already finished.
 */
export async function rollbackOperation(deps: RestoreDeps, id: string, ctx?: TaskContext): Promise<{ id: string; state: OperationState; actions: string[] }> {
  const journal = await readJournal(deps.configDir, id);
  if (!journal) throw new RpcError('NOT_FOUND', `There is no operation ${id}.`);
  if (deps.active.has(id)) throw new RpcError('CONFLICT', `Operation ${id} is still running in this process; cancel it instead.`);
  if (journal.state !== 'running' && journal.state !== 'rollback-failed') {
    throw new RpcError('CONFLICT', `Operation ${id} is ${journal.state}; only an interrupted one can be rolled back.`);
  }
  const action = recoveryAction(journal);
  const engineKey = await engineId(await deps.engineFor(journal.targetHostId));
  const release = await deps.locks.acquire(
    id,
    journal.targets.map((t) => ({ engineId: engineKey, kind: t.kind === 'volume' ? ('volume' as const) : ('container' as const), name: t.target })),
  );
  deps.active.add(id);
  if (deps.operations) ctx = deps.operations.begin(id, ctx);
  const startedAt = new Date().toISOString();
  const note = (message: string, level: 'info' | 'warn' | 'error' = 'info') => {
    journal.log.push({ ts: new Date().toISOString(), message });
    say(ctx, message, level);
  };
  try {
    note(`Recovery of ${id}: ${action.reason}`);
    let outcome: RollbackOutcome;
    if (action.kind === 'none') {
      outcome = { state: 'rolled-back', actions: [], problems: [] };
    } else {
      const engine = await deps.engineFor(journal.targetHostId);
      await engine.connect();
      outcome = await rollBack(deps.configDir, engine, journal, note);
      if (action.kind === 'restart-unrecoverable') outcome.problems.push(action.reason);
      if (outcome.problems.length) outcome.state = 'rollback-failed';
    }
    // An interrupted verify: its throwaways removed, it is rolled back; one that could not be
    // removed leaves it failed (named in the error), never "rollback-failed" — nothing of anyone's was touched.
    journal.state = journal.kind === 'verify' && outcome.problems.length ? 'failed' : outcome.state;
    journal.rolledBack = outcome.actions;
    journal.endedAt = new Date().toISOString();
    journal.error ??= 'interrupted';
    await writeJournal(deps.configDir, journal);
    if (journal.state === 'rolled-back') await discardSafetyCopies(deps.configDir, journal, await deps.engineFor(journal.targetHostId), note);
    else if (journal.kind === 'verify') throw new RpcError('INTERNAL', `Cleanup of verify ${id} incomplete: ${throwawayOutcome(outcome)}`);
    else throw new RpcError('INTERNAL', `Rollback of ${id} incomplete: ${outcome.problems.join('; ')}`);
    return { id, state: journal.state, actions: outcome.actions };
  } finally {
    deps.active.delete(id);
    await release();
    await deps.operations?.end(id);
    await appendAudit(deps.configDir, {
      operationId: id,
      kind: 'rollback',
      user: osUser(),
      snapshotId: journal.snapshotId,
      repositoryId: journal.repositoryId,
      from: `safety copies of ${id}`,
      to: `${journal.targetHostName}: ${journal.targets.map((t) => t.target).join(', ')}`,
      result: journal.state,
      startedAt,
      endedAt: new Date().toISOString(),
    }).catch(() => undefined);
  }
}
