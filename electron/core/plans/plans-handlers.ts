/**
 * The `plans.*` handlers: saved plans (plans-store.ts) with their next run and, from their
 * repository, their last run and newest verified snapshot; `run` (back up now, then apply the
 * retention; both recorded in the repository) and `prune` (prune.ts). The host's agent will run
 * the schedules; the console keeps the plans and shows them.
 */
import os from 'node:os';
import { RpcError } from '../../../shared/contract/errors.js';
import type { BackupResult, BackupRunInput } from '../../../shared/contract/backup.js';
import type { Plan, PlanRun, PlanView } from '../../../shared/contract/plans.js';
import type { VerifyInput, VerifyResult } from '../../../shared/contract/restore.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { BackendHandlers } from '../backend-types.js';
import type { HostsRepository } from '../config/hosts-repository.js';
import { createLogger } from '../log.js';
import { createBackend, type BackendDeps, type RepositoriesStore, type RepositoryBackend } from '../repository/index.js';
import type { TargetLocks } from '../restore/target-lock.js';
import type { Fetch } from './notify.js';
import { PlansStore } from './plans-store.js';
import { runDrill } from './run-drill.js';
import { runPlan, type PlanRunResult, type RunHow, type RunPlanDeps } from './run-plan.js';
import { prunePlan } from './prune.js';
import { newestVerified, runSummary, writeRunRecord } from './run-records.js';
import { intervalMs, nextRun } from './schedule.js';

const log = createLogger('plans');

export interface PlansDeps {
  configDir: string;
  hosts: HostsRepository;
  repositories: RepositoriesStore;
  backendDeps: BackendDeps;
  /** The backup task (backup handlers): a plan's run is an ordinary backup of its set. */
  runBackup: (input: BackupRunInput, ctx: TaskContext) => Promise<BackupResult>;
  locks: TargetLocks;
  /** Told after a plan of this host was added, removed, paused or resumed (the agent gets it). */
  onChanged?: (hostId: string) => Promise<void>;
  /** The verify task (restore drills). */
  verify?: (input: VerifyInput, ctx: TaskContext) => Promise<VerifyResult>;
  /** Runs a plan on its host's agent; null when that host has no agent that can. */
  runOnAgent?: (plan: Plan, ctx: TaskContext) => Promise<PlanRunResult | null>;
  /** Who runs (default console@<machine>); the agent passes agent@<host>. */
  runner?: string;
  now?: () => Date;
  fetch?: Fetch;
}

/** Runs a plan by id, as the given trigger: the console's plans.run and the agent's scheduler. */
export type PlanRunner = (idOrName: string, ctx: TaskContext, how: RunHow) => Promise<PlanRunResult>;

export function plansHandlers(d: PlansDeps): BackendHandlers['plans'] & { runner: PlanRunner } {
  const store = new PlansStore(d.configDir);
  const now = d.now ?? (() => new Date());
  const runner = d.runner ?? `console@${os.hostname()}`;
  const withRepository = async <T>(plan: Plan, fn: (b: RepositoryBackend) => Promise<T>): Promise<T> => {
    const [config, secrets] = await Promise.all([d.repositories.stored(plan.repositoryId), d.repositories.secrets(plan.repositoryId)]);
    const backend = createBackend(config, secrets, d.backendDeps);
    try {
      return await fn(backend);
    } finally {
      await backend.close().catch(() => undefined);
    }
  };
  const view = async (p: Plan): Promise<PlanView> => {
    // What the repository says: unreachable means unknown, never an error for the whole list.
    const seen = await withRepository(p, async (b) => ({ ...(await runSummary(b, p.name)), newestVerified: await newestVerified(b, p.name) })).catch(
      (e: unknown) => {
        log.warn(`plan ${p.name}: its repository could not be read`, e instanceof Error ? e.message : e);
        return { lastRun: null, lastGoodBackup: null, newestVerified: null };
      },
    );
    return { ...p, nextRun: p.paused ? null : (nextRun(p.schedule, now())?.toISOString() ?? null), intervalMs: intervalMs(p.schedule, now()), drillIntervalMs: p.drill ? intervalMs({ cron: p.drill.cron, timeZone: p.schedule.timeZone }, now()) : null, ...seen };
  };
  const byName = async <T extends { id: string; name: string }>(list: Promise<T[]>, idOrName: string, what: string): Promise<T> => {
    const all = await list;
    const hit = all.find((x) => x.id === idOrName) ?? all.find((x) => x.name === idOrName);
    if (!hit) throw new RpcError('NOT_FOUND', `There is no ${what} "${idOrName}".`);
    return hit;
  };
  const record = (plan: Plan, run: Omit<PlanRun, 'version' | 'plan' | 'hostId' | 'runner' | 'endedAt'>) =>
    withRepository(plan, (b) => writeRunRecord(b, { version: 1, plan: plan.name, hostId: plan.hostId, runner, endedAt: now().toISOString(), ...run }));
  // The plan's host runs its backups; its drill host (if another) runs its drills.
  const tellHosts = async (plan: Plan) => {
    for (const h of new Set([plan.hostId, ...(plan.drill ? [plan.drill.hostId] : [])])) await d.onChanged?.(h);
  };
  const changed = async (plan: Plan) => {
    await tellHosts(plan);
    return view(plan);
  };
  const runDeps: RunPlanDeps = {
    runner,
    hostName: async (hostId) => (await d.hosts.stored(hostId)).name,
    runBackup: d.runBackup,
    withRepository,
    locks: d.locks,
    now,
    ...(d.fetch ? { fetch: d.fetch } : {}),
  };

  return {
    list: async () => Promise.all((await store.list()).map(view)),
    get: async ({ id }) => view(await store.get(id)),
    add: async (input) => {
      // Stored by id, so renaming a host or repository keeps the plan working.
      const host = await byName(d.hosts.list(), input.hostId, 'host');
      const repo = await byName(d.repositories.list(), input.repositoryId, 'repository');
      const drillHost = input.drill ? await byName(d.hosts.list(), input.drill.hostId, 'host') : null;
      const plan = await store.add({ ...input, hostId: host.id, repositoryId: repo.id, ...(input.drill && drillHost ? { drill: { ...input.drill, hostId: drillHost.id } } : {}) }, now());
      await tellHosts(plan);
      return view(plan);
    },
    remove: async ({ id }) => {
      const plan = await store.get(id).catch(() => null);
      const removed = await store.remove(id);
      if (plan) await tellHosts(plan);
      return { removed };
    },
    pause: async ({ id }) => changed(await store.setPaused(id, true)),
    resume: async ({ id }) => changed(await store.setPaused(id, false)),
    run: {
      title: ({ id }) => `Run plan ${id}`,
      run: async ({ id }, ctx) => {
        const plan = await store.get(id);
        // On the host's agent when it has one (the direct data path), else from here (the relay).
        return (await d.runOnAgent?.(plan, ctx)) ?? runPlan(runDeps, plan, ctx, { trigger: 'manual', attempt: 1 });
      },
    },
    runner: async (id, ctx, how) => {
      const plan = await store.get(id);
      if (!how.drill) return runPlan(runDeps, plan, ctx, how);
      if (!d.verify) throw new RpcError('INVALID_INPUT', 'Restore drills need the verify task.');
      return runDrill({ ...runDeps, verify: d.verify }, plan, ctx, how);
    },
    prune: async ({ id, dryRun }) => {
      const plan = await store.get(id);
      const startedAt = now().toISOString();
      const result = await withRepository(plan, (b) => prunePlan(b, plan, { dryRun, now: now() }));
      if (!dryRun) await record(plan, { kind: 'prune', startedAt, result: 'succeeded', deleted: result.deleted });
      return result;
    },
  };
}
