/**
 * A point-in-time recovery as an operation, like a snapshot's restore (restore/runner.ts): the
 * target container and its data volume locked (target-lock.ts), a journal in
 * <config dir>/operations/ written before each stage the run announces (recover → stop-users →
 * safety-copy → restore → restart → verify), the operation's log file and live progress
 * (OperationsHub), one line in the audit log when it ends, and the safety copy — a volume on the
 * target host — kept for the safety retention and then removed by the sweep (safety-sweep.ts).
 *
 * The run itself (pitr-restore.ts) puts the target back when the swap fails. The journal is what a
 * crash of THIS process leaves: `operations rollback` then does what runner.ts does for any
 * interrupted restore — the data volume refilled from the copy, the container started again.
 * When the target's agent runs the recovery, its stages arrive as progress events a moment after
 * they begin; the agent then also puts the target back itself if the swap fails.
 */
import fsp from 'node:fs/promises';
import { RpcError } from '../../../shared/contract/errors.js';
import type { PitrRestoreResult } from '../../../shared/contract/pitr.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { createLogger } from '../log.js';
import type { Engine } from '../docker/engine.js';
import { engineId } from '../docker/engine-id.js';
import type { OperationsHub } from '../operations/operations-hub.js';
import { appendAudit, osUser } from '../restore/audit.js';
import { hostCopyVolume, safetyVolumeName } from '../restore/host-safety.js';
import { startJournal, writeJournal, type Journal, type JournalStep } from '../restore/journal.js';
import { interruptedClash } from '../restore/preflight.js';
import { newOperationId } from '../restore/runner.js';
import { safetyDir, sweepSafetyCopies } from '../restore/safety-sweep.js';
import type { TargetLocks } from '../restore/target-lock.js';
import { PitrRunStep, recoveryVolumeOf } from './pitr-restore.js';

const log = createLogger('pitr');

export interface PitrOperationDeps {
  configDir: string;
  locks: TargetLocks;
  /** Operations running in this process (shared with restores and backups). */
  active: Set<string>;
  hub?: OperationsHub | undefined;
  engineFor: (hostId: string) => Promise<Engine>;
}

export interface PitrOperationFacts {
  host: { id: string; name: string };
  repositoryId: string;
  /** The dry run's answer: the plan the run will follow (target, data volume, base, window). */
  plan: PitrRestoreResult;
  /** The image whose GNU tar makes the safety copy (the agent's, or the target's own): a rollback puts the copy back with it. */
  image: string;
  sourceHostName: string;
}

/** The run, given the operation's id and the context whose progress events carry the stages. */
export type PitrRun = (opId: string, ctx: TaskContext) => Promise<PitrRestoreResult>;

export async function asPitrOperation(d: PitrOperationDeps, f: PitrOperationFacts, taskCtx: TaskContext, run: PitrRun): Promise<PitrRestoreResult & { operationId: string }> {
  // A restore or recovery of these targets that a crash interrupted is rolled back first.
  const clash = await interruptedClash(d.configDir, d.active, f.host.id, { targets: [{ target: f.plan.dataVolume, targetKind: 'volume' }] });
  if (clash) throw new RpcError('CONFLICT', clash, 'refused: interrupted operation');
  const opId = newOperationId('restore');
  const engine = await d.engineFor(f.host.id);
  const engineKey = await engineId(engine);
  const release = await d.locks.acquire(opId, [
    { engineId: engineKey, kind: 'container', name: f.plan.target },
    { engineId: engineKey, kind: 'volume', name: f.plan.dataVolume },
  ]);
  d.active.add(opId);
  const source = `PostgreSQL cluster ${f.plan.cluster} (${f.sourceHostName})`;
  const journal: Journal = startJournal({
    id: opId,
    kind: 'restore',
    user: osUser(),
    snapshotId: `pitr:${f.plan.cluster}@${f.plan.at}`,
    repositoryId: f.repositoryId,
    sourceHost: f.sourceHostName,
    targetHostId: f.host.id,
    targetHostName: f.host.name,
    safetyCopy: true,
    targets: [
      {
        source,
        kind: 'volume',
        target: f.plan.dataVolume,
        created: false,
        // Recorded before it is stopped: a rollback after a crash starts it again.
        users: [{ id: f.plan.target, name: f.plan.target, state: 'running', status: 'running' }],
        touched: false,
      },
    ],
    pointInTime: { cluster: f.plan.cluster, at: f.plan.at, baseId: f.plan.baseId, recoveryVolume: recoveryVolumeOf(opId) },
  });
  const startedAt = journal.startedAt;
  const target = journal.targets[0]!;
  // Journal writes are serialized: a stage never overtakes the one before.
  let writes: Promise<void> = Promise.resolve();
  const save = () => {
    writes = writes.then(() => writeJournal(d.configDir, journal)).catch((e: unknown) => log.warn(`could not write the journal of ${opId}`, e instanceof Error ? e.message : e));
    return writes;
  };
  const enter = (step: JournalStep) => {
    if (journal.step === step) return;
    journal.step = step;
    journal.history.push({ step, at: new Date().toISOString() });
    // What a crash from here on would have to undo.
    if (step === 'safety-copy') target.safetyCopyImage = f.image;
    if (step === 'restore') {
      target.safetyCopy = `volume:${safetyVolumeName(opId, 0)}`;
      target.touched = true;
    }
    void save().then(() => d.hub?.changed(opId));
  };
  const inner = d.hub ? d.hub.begin(opId, taskCtx) : taskCtx;
  const note = (message: string, level: 'info' | 'warn' | 'error' = 'info') => {
    journal.log.push({ ts: new Date().toISOString(), message });
    inner.report({ type: 'log', level, message, ts: new Date().toISOString() });
  };
  const ctx: TaskContext = {
    ...inner,
    report: (event) => {
      if (event.type === 'progress' && event.step) {
        const step = PitrRunStep.safeParse(event.step);
        if (step.success) enter(step.data);
      }
      if (event.type === 'log') journal.log.push({ ts: event.ts, message: event.message });
      inner.report(event);
    },
  };
  try {
    await writeJournal(d.configDir, journal);
    // The folder marks the operation for the sweep: its copy is kept on the host (safety-sweep.ts).
    await fsp.mkdir(safetyDir(d.configDir, opId), { recursive: true, mode: 0o700 });
    enter('preflight');
    const result = await run(opId, ctx);
    await writes;
    journal.step = 'done';
    journal.state = 'succeeded';
    if (result.done) target.safetyCopy = `volume:${result.done.safetyVolume}`;
    return { ...result, operationId: opId };
  } catch (e) {
    await writes;
    journal.error = e instanceof Error ? e.message : String(e);
    journal.failedStep = journal.step;
    note(`Failed during ${journal.step}: ${journal.error}`, 'error');
    // The run puts the target back itself; what it says decides how the operation ended.
    const rollbackFailed = /ROLLBACK FAILED/.test(journal.error);
    journal.state = rollbackFailed ? 'rollback-failed' : 'rolled-back';
    if (!rollbackFailed && target.touched) journal.rolledBack = [`${target.target} put back from ${hostCopyVolume(target.safetyCopy)}`, `${f.plan.target} started again`];
    const code = RpcError.is(e) ? e.code : 'INTERNAL';
    throw new RpcError(code, `Recovery ${opId} failed: ${journal.error}${rollbackFailed ? '' : target.touched ? ' — rolled back.' : ' — the target was not touched.'}`, `operation ${opId}; state ${journal.state}`);
  } finally {
    journal.endedAt = new Date().toISOString();
    await writeJournal(d.configDir, journal).catch((e: unknown) => log.warn(`could not write the journal of ${opId}`, e instanceof Error ? e.message : e));
    d.active.delete(opId);
    await release();
    await d.hub?.end(opId);
    await appendAudit(d.configDir, {
      operationId: opId,
      kind: 'restore',
      user: journal.user,
      snapshotId: journal.snapshotId,
      repositoryId: f.repositoryId,
      from: `${f.sourceHostName}: PostgreSQL cluster ${f.plan.cluster} as of ${f.plan.at}`,
      to: `${f.host.name}: ${f.plan.target} (volume ${f.plan.dataVolume})`,
      result: journal.state,
      ...(journal.error ? { error: journal.error } : {}),
      startedAt,
      endedAt: journal.endedAt,
    }).catch((e: unknown) => log.warn('could not append to the audit log', e instanceof Error ? e.message : e));
    await sweepSafetyCopies(d.configDir, { active: d.active, engineFor: d.engineFor }).catch((e: unknown) => log.warn('could not sweep old safety copies', e instanceof Error ? e.message : e));
  }
}
