/**
 * One run of a plan — the same whoever starts it (the console by hand, the agent on schedule):
 * under the plan's lock (never two runs of one plan at once, across processes), back up the set,
 * then apply the retention; each step leaves a run record in the repository (a failed one too),
 * and the plan's notification targets are told (notify.ts).
 */
import { randomBytes } from 'node:crypto';
import type { BackupResult, BackupRunInput } from '../../../shared/contract/backup.js';
import type { Plan, PlanRun } from '../../../shared/contract/plans.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { RepositoryBackend } from '../repository/index.js';
import type { TargetLocks } from '../restore/target-lock.js';
import { notifyRun, type Fetch } from './notify.js';
import { prunePlan } from './prune.js';
import { writeRunRecord } from './run-records.js';

export interface RunPlanDeps {
  /** "console@laptop", "agent@production": written in every record. */
  runner: string;
  /** The host's name, for notifications. */
  hostName: (hostId: string) => Promise<string>;
  runBackup: (input: BackupRunInput, ctx: TaskContext) => Promise<BackupResult>;
  withRepository: <T>(plan: Plan, fn: (b: RepositoryBackend) => Promise<T>) => Promise<T>;
  locks: TargetLocks;
  now: () => Date;
  fetch?: Fetch;
}

export interface RunHow {
  trigger: NonNullable<PlanRun['trigger']>;
  attempt: number;
  /** The plan's restore drill instead of its backup (run-drill.ts). */
  drill?: boolean;
}

export interface PlanRunResult {
  snapshotId: string;
  deleted: string[];
}

export async function runPlan(d: RunPlanDeps, plan: Plan, ctx: TaskContext, how: RunHow): Promise<PlanRunResult> {
  const release = await d.locks.acquire(`plan-run-${randomBytes(6).toString('hex')}`, [{ engineId: 'plans', kind: 'plan', name: plan.id }]);
  const host = await d.hostName(plan.hostId).catch(() => plan.hostId);
  const startedAt = d.now().toISOString();
  // A manual run is not retried: its failure is final.
  const final = (ok: boolean) => ok || how.trigger === 'manual' || how.attempt > plan.retries;
  const notice = { plan: plan.name, host, runner: d.runner, trigger: how.trigger, attempt: how.attempt, startedAt };
  const record = (run: Omit<PlanRun, 'version' | 'plan' | 'hostId' | 'runner' | 'endedAt' | 'attempt' | 'trigger'>) =>
    d.withRepository(plan, (b) =>
      writeRunRecord(b, { version: 1, plan: plan.name, hostId: plan.hostId, runner: d.runner, endedAt: d.now().toISOString(), attempt: how.attempt, trigger: how.trigger, ...run }),
    );
  const fail = async (kind: 'backup' | 'prune', started: string, e: unknown): Promise<never> => {
    const error = e instanceof Error ? e.message : String(e);
    await record({ kind, startedAt: started, result: 'failed', error }).catch(() => undefined);
    await notifyRun(plan.notify, { ...notice, phase: 'end', final: final(false), endedAt: d.now().toISOString(), result: 'failed', error }, { fetch: d.fetch });
    throw e;
  };
  try {
    await notifyRun(plan.notify, { ...notice, phase: 'start', final: false }, { fetch: d.fetch });
    let backup: BackupResult;
    try {
      backup = await d.runBackup({ hostId: plan.hostId, repositoryId: plan.repositoryId, sources: plan.sources, set: plan.name }, ctx);
    } catch (e) {
      return await fail('backup', startedAt, e);
    }
    await record({ kind: 'backup', startedAt, result: 'succeeded', snapshotId: backup.snapshotId });
    const pruneStarted = d.now().toISOString();
    let deleted: string[];
    try {
      deleted = (await d.withRepository(plan, (b) => prunePlan(b, plan, { dryRun: false, now: d.now() }))).deleted;
    } catch (e) {
      return await fail('prune', pruneStarted, e);
    }
    await record({ kind: 'prune', startedAt: pruneStarted, result: 'succeeded', deleted });
    await notifyRun(plan.notify, { ...notice, phase: 'end', final: true, endedAt: d.now().toISOString(), result: 'succeeded', snapshotId: backup.snapshotId, deleted }, { fetch: d.fetch });
    return { snapshotId: backup.snapshotId, deleted };
  } finally {
    await release();
  }
}
