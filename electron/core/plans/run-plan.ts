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

type StepFields = Partial<Pick<PlanRun, 'snapshotId' | 'deleted'>>;
/** One recorded step of a run: its record (failed ones too) is written whatever happens. */
export type RunStep = <T>(kind: PlanRun['kind'], work: () => Promise<T>, fields: (result: T | undefined) => StepFields) => Promise<T>;

/**
 * What every run of a plan shares, backup or drill: the lock (never two at once), the notices
 * (start, then the end — a failure only says "final" when no retry follows), and a run record per
 * step, failed ones included. `steps` does the work through `step`.
 */
export async function planRun(
  d: RunPlanDeps,
  plan: Plan,
  how: RunHow,
  o: { lock: string; hostId: string; label: string },
  steps: (step: RunStep) => Promise<PlanRunResult>,
): Promise<PlanRunResult> {
  const release = await d.locks.acquire(`plan-run-${randomBytes(6).toString('hex')}`, [{ engineId: 'plans', kind: 'plan', name: o.lock }]);
  const host = await d.hostName(o.hostId).catch(() => o.hostId);
  // A manual run is not retried: its failure is final.
  const final = (ok: boolean) => ok || how.trigger === 'manual' || how.attempt > plan.retries;
  const notice = { plan: o.label, host, runner: d.runner, trigger: how.trigger, attempt: how.attempt, startedAt: d.now().toISOString() };
  const record = (run: Omit<PlanRun, 'version' | 'plan' | 'hostId' | 'runner' | 'endedAt' | 'attempt' | 'trigger'>) =>
    d.withRepository(plan, (b) => writeRunRecord(b, { version: 1, plan: plan.name, hostId: o.hostId, runner: d.runner, endedAt: d.now().toISOString(), attempt: how.attempt, trigger: how.trigger, ...run }));
  const step: RunStep = async (kind, work, fields) => {
    const startedAt = d.now().toISOString();
    let result;
    try {
      result = await work();
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      await record({ kind, startedAt, result: 'failed', error, ...fields(undefined) }).catch(() => undefined);
      await notifyRun(plan.notify, { ...notice, phase: 'end', final: final(false), endedAt: d.now().toISOString(), result: 'failed', error, ...fields(undefined) }, { fetch: d.fetch });
      throw e;
    }
    await record({ kind, startedAt, result: 'succeeded', ...fields(result) });
    return result;
  };
  try {
    await notifyRun(plan.notify, { ...notice, phase: 'start', final: false }, { fetch: d.fetch });
    const result = await steps(step);
    await notifyRun(plan.notify, { ...notice, phase: 'end', final: true, endedAt: d.now().toISOString(), result: 'succeeded', ...result }, { fetch: d.fetch });
    return result;
  } finally {
    await release();
  }
}

/** A plan's backup, then its retention. */
export async function runPlan(d: RunPlanDeps, plan: Plan, ctx: TaskContext, how: RunHow): Promise<PlanRunResult> {
  return planRun(d, plan, how, { lock: plan.id, hostId: plan.hostId, label: plan.name }, async (step) => {
    const backup = await step('backup', () => d.runBackup({ hostId: plan.hostId, repositoryId: plan.repositoryId, sources: plan.sources, set: plan.name }, ctx), (b) => (b ? { snapshotId: b.snapshotId } : {}));
    const pruned = await step('prune', () => d.withRepository(plan, (b) => prunePlan(b, plan, { dryRun: false, now: d.now() })), (r) => (r ? { deleted: r.deleted } : {}));
    return { snapshotId: backup.snapshotId, deleted: pruned.deleted };
  });
}
