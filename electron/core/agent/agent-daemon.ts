/**
 * `hindsight-agent serve`: the agent's scheduler, the container's main process. Every few seconds
 * it re-reads the plans the console pushed (so a push needs no restart) and asks scheduler.ts what
 * is due; each run goes through the same core as a console's (backend.runPlan: lock, backup, retention,
 * run records, notifications), against the host's engine through the mounted socket, straight to
 * the repository. What it remembers between restarts lives in the state volume:
 *   agent/daemon.json        {pid, startedAt} of the running scheduler
 *   agent/memory.json        per plan: the newest cron time handled, a pending retry
 *   agent/last/<plan>.json   the last attempt (written by scheduled and manual runs alike)
 * On SIGTERM (docker stop) running backups are cancelled — a cancelled backup writes no manifest —
 * and the process exits; the restart policy brings it back after a crash or a reboot.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AgentPlanState, type AgentReport } from '../../../shared/contract/agent.js';
import { RpcError } from '../../../shared/contract/errors.js';
import type { Plan } from '../../../shared/contract/plans.js';
import type { Backend } from '../backend-types.js';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { createLogger } from '../log.js';
import { PlansStore } from '../plans/plans-store.js';
import { TargetLocks } from '../restore/target-lock.js';
import type { PlanRunResult } from '../plans/run-plan.js';
import { consoleSigner } from '../signing/index.js';
import { afterRun, decide, nextPlanned, type PlanMemory, type Trigger } from './scheduler.js';
import { clearOwnStaleLocks, containerInstance } from './instance.js';
import { pidAlive } from '../config/process-instance.js';
import { createBackend as openRepository, RepositoriesStore } from '../repository/index.js';
import { S3Backend } from '../repository/s3/s3-backend.js';
import { withinGrace } from '../sources/errors.js';
import { removePipeLeftovers } from '../sources/pipe-tar.js';
import { agentEngine } from './agent-pipes.js';
import { PITR_STEP_EVERY_MS, pitrStepHere } from './agent-pitr.js';

const log = createLogger('agent');

const Memory = z.object({
  version: z.literal(1),
  plans: z.record(z.string(), z.object({ handledUntil: z.string(), retry: z.object({ attempt: z.number(), at: z.string() }).optional() })),
});
const Daemon = z.object({ pid: z.number(), startedAt: z.string(), instance: z.string().optional() });
const LastAttempt = AgentPlanState.shape.lastAttempt.unwrap();
type LastAttempt = z.infer<typeof LastAttempt>;

export function agentFiles(stateDir: string) {
  const dir = path.join(stateDir, 'agent');
  return {
    daemon: path.join(dir, 'daemon.json'),
    memory: path.join(dir, 'memory.json'),
    last: (planId: string) => path.join(dir, 'last', `${planId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`),
  };
}


/**
 * What this agent runs: a plan's backups when the plan is of this host, its restore drills when
 * the drill is on this host (a plan of production may be drilled by uat's agent). A drill is
 * scheduled by its own cron, read in the plan's time zone; it is remembered under "<plan id>:drill".
 */
export interface Job {
  key: string;
  plan: Plan;
  /** The plan with the schedule this job follows (the drill's for a drill). */
  timing: Plan;
  drill: boolean;
  label: string;
}

export function jobsOf(plans: Plan[], hostId: string | null): Job[] {
  const jobs: Job[] = [];
  for (const p of plans) {
    if (p.hostId === hostId) jobs.push({ key: p.id, plan: p, timing: p, drill: false, label: p.name });
    if (p.drill && p.drill.hostId === hostId) jobs.push({ key: `${p.id}:drill`, plan: p, timing: { ...p, schedule: { cron: p.drill.cron, timeZone: p.schedule.timeZone } }, drill: true, label: `${p.name} (drill)` });
  }
  return jobs;
}

async function ownHostId(stateDir: string): Promise<string | null> {
  return fs
    .readFile(path.join(stateDir, 'hosts.json'), 'utf8')
    .then((t) => (JSON.parse(t) as { hosts: { id: string }[] }).hosts[0]?.id ?? null)
    .catch(() => null);
}

/** One plan run by this process, with its attempt recorded for `status`. */
export async function runAndRecord(backend: Backend, stateDir: string, plan: Plan, how: { trigger: Trigger; attempt: number; drill?: boolean }, signal: AbortSignal, onProgress?: (message: string, fraction: number | null) => void): Promise<PlanRunResult> {
  const at = new Date().toISOString();
  const save = (last: LastAttempt) => writeFileAtomic(agentFiles(stateDir).last(how.drill ? `${plan.id}:drill` : plan.id), JSON.stringify(last) + '\n').catch(() => undefined);
  try {
    const result = await backend.runPlan(plan.id, { signal, report: (e) => (e.type === 'progress' ? onProgress?.(e.message, e.fraction) : undefined) }, how);
    await save({ at, endedAt: new Date().toISOString(), result: 'succeeded', trigger: how.trigger, attempt: how.attempt, snapshotId: result.snapshotId });
    return result;
  } catch (e) {
    // Refused because a run is in progress: that run's outcome is the one to show.
    if (!(RpcError.is(e) && e.code === 'CONFLICT')) {
      await save({ at, endedAt: new Date().toISOString(), result: 'failed', trigger: how.trigger, attempt: how.attempt, error: e instanceof Error ? e.message : String(e) });
    }
    throw e;
  }
}

/** Locks and multipart uploads an earlier run of this container left in the plans' repositories. */
async function clearStaleLocks(stateDir: string): Promise<void> {
  const writer = process.env.HINDSIGHT_WRITER;
  if (!writer) return;
  const store = new RepositoriesStore(stateDir);
  for (const r of (await store.list().catch(() => [])).filter((x) => x.kind !== 'local')) {
    const backend = openRepository(await store.stored(r.id), await store.secrets(r.id), { configDir: stateDir });
    try {
      const n = await clearOwnStaleLocks(backend, writer, containerInstance());
      if (n) log.info(`cleared ${n} lock(s) an earlier run of this agent left in ${r.name}`);
      const u = backend instanceof S3Backend ? await backend.abortOrphanUploads() : 0;
      if (u) log.info(`aborted ${u} multipart upload(s) an earlier run of this agent left in ${r.name}`);
    } catch (e) {
      log.warn(`could not look for stale locks in ${r.name}`, e instanceof Error ? e.message : e);
    } finally {
      await backend.close().catch(() => undefined);
    }
  }
}

/** Helpers and pipes of runs that died with the previous container (sources/pipe-tar.ts). */
async function clearPipeLeftovers(): Promise<void> {
  const engine = agentEngine('this host');
  if (!engine.pipes) return;
  try {
    const left = await removePipeLeftovers({ ...engine, pipes: engine.pipes });
    if (left.helpers || left.pipes) log.info(`removed ${left.helpers} helper(s) and ${left.pipes} pipe(s) an earlier run of this agent left`);
  } catch (e) {
    log.warn('could not look for helpers an earlier run left', e instanceof Error ? e.message : e);
  } finally {
    engine.dispose();
  }
}

export interface DaemonOptions {
  stateDir: string;
  backend: Backend;
  tickMs?: number;
  /** How often the point-in-time jobs take a step (default a minute). */
  pitrEveryMs?: number;
  now?: () => Date;
}

export async function runDaemon(o: DaemonOptions): Promise<void> {
  const files = agentFiles(o.stateDir);
  const now = o.now ?? (() => new Date());
  const plansStore = new PlansStore(o.stateDir);
  const memory = (await readJsonFile(files.memory, Memory).catch(() => undefined)) ?? { version: 1 as const, plans: {} };
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let saving = Promise.resolve();
  const saveMemory = () => (saving = saving.then(() => writeFileAtomic(files.memory, JSON.stringify(memory) + '\n').catch((e: unknown) => log.warn('could not save the schedule memory', e))));
  await consoleSigner(o.stateDir); // the signing key exists from the first start
  await clearStaleLocks(o.stateDir);
  await clearPipeLeftovers();
  // Said after the clean-up: a scheduler that says it runs has aborted what its last run left (the
  // console's install waits for this, agent-lifecycle.ts).
  await writeFileAtomic(files.daemon, JSON.stringify({ pid: process.pid, startedAt: now().toISOString(), instance: containerInstance() }) + '\n');
  log.info(`agent scheduler started (pid ${process.pid})`);

  const start = (job: Job, trigger: Trigger, attempt: number) => {
    const controller = new AbortController();
    log.info(`${job.label}: run (${trigger}, attempt ${attempt})`);
    const done = runAndRecord(o.backend, o.stateDir, job.plan, { trigger, attempt, drill: job.drill }, controller.signal)
      .then(
        (r) => {
          log.info(`${job.label}: ${job.drill ? 'verified' : 'snapshot'} ${r.snapshotId}${r.deleted.length ? `, ${r.deleted.length} deleted by retention` : ''}`);
          return true;
        },
        (e: unknown) => {
          log.warn(`${job.label}: run failed: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        },
      )
      .then((ok) => {
        const mem = memory.plans[job.key];
        if (mem && !controller.signal.aborted) memory.plans[job.key] = afterRun(job.timing, mem, attempt, ok, now());
        running.delete(job.key);
        saveMemory();
      });
    running.set(job.key, { controller, done });
  };

  const tick = async () => {
    let jobs: Job[];
    try {
      jobs = jobsOf(await plansStore.list(), await ownHostId(o.stateDir));
    } catch (e) {
      return log.warn('cannot read the plans', e instanceof Error ? e.message : e);
    }
    let changed = false;
    for (const job of jobs) {
      if (running.has(job.key)) continue;
      const d = decide(job.timing, memory.plans[job.key], now());
      if (JSON.stringify(d.memory) !== JSON.stringify(memory.plans[job.key])) {
        memory.plans[job.key] = d.memory;
        changed = true;
      }
      if (!d.run && d.skipped) log.warn(`${job.label}: the run due ${d.skipped.dueAt} is ${Math.round(d.skipped.lateMs / 3_600_000)} h late, beyond its catch-up window: skipped`);
      if (d.run) start(job, d.trigger, d.attempt);
    }
    for (const key of Object.keys(memory.plans)) {
      if (!jobs.some((j) => j.key === key)) {
        delete memory.plans[key];
        changed = true;
      }
    }
    if (changed) saveMemory();
  };

  // Point-in-time jobs: one archiving step of each every minute (agent-pitr.ts), never two at once.
  const pitrController = new AbortController();
  let pitrRunning: Promise<unknown> | null = null;
  const pitrTick = () => {
    if (pitrRunning) return;
    pitrRunning = pitrStepHere(o.stateDir, { signal: pitrController.signal })
      .catch((e: unknown) => log.warn('point-in-time step failed', e instanceof Error ? e.message : e))
      .finally(() => (pitrRunning = null));
  };

  let stopping = false;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => void tick(), o.tickMs ?? 5_000);
    const pitrTimer = setInterval(pitrTick, o.pitrEveryMs ?? PITR_STEP_EVERY_MS);
    void tick();
    pitrTick();
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: cancelling ${running.size} run(s) and stopping`);
      clearInterval(timer);
      clearInterval(pitrTimer);
      pitrController.abort(new RpcError('CANCELLED', `The agent is stopping (${signal}).`));
      for (const r of running.values()) r.controller.abort(new RpcError('CANCELLED', `The agent is stopping (${signal}).`));
      const all = Promise.all([...[...running.values()].map((r) => r.done), pitrRunning]);
      void withinGrace(all.then(() => undefined), 15_000, () => undefined).then(() => saving).then(() => resolve());
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** `hindsight-agent status`: what the scheduler knows, read from the state volume. */
export async function agentReport(stateDir: string, version: string, now = new Date()): Promise<AgentReport> {
  const files = agentFiles(stateDir);
  const [signer, daemon, memory, plans, hostId] = await Promise.all([
    consoleSigner(stateDir),
    readJsonFile(files.daemon, Daemon).catch(() => undefined),
    readJsonFile(files.memory, Memory).catch(() => undefined),
    new PlansStore(stateDir).list().catch(() => [] as Plan[]),
    ownHostId(stateDir),
  ]);
  const locks = new TargetLocks(stateDir);
  return {
    version,
    hostId,
    keyId: signer.keyId,
    publicKey: signer.publicKey,
    // PID 1 of a restarted container has the number of the old one: the instance tells them apart.
    daemon: { alive: !!daemon && daemon.instance === containerInstance() && pidAlive(daemon.pid), pid: daemon?.pid ?? null, startedAt: daemon?.startedAt ?? null },
    plans: await Promise.all(
      jobsOf(plans, hostId).map(async (j) => {
        const mem: PlanMemory | undefined = memory?.plans[j.key];
        return {
          planId: j.plan.id,
          name: j.label,
          kind: j.drill ? ('drill' as const) : ('backup' as const),
          paused: j.plan.paused,
          running: !!(await locks.holder({ engineId: 'plans', kind: 'plan', name: j.key })),
          nextRun: nextPlanned(j.timing, mem, now)?.toISOString() ?? null,
          lastAttempt: (await readJsonFile(files.last(j.key), LastAttempt).catch(() => undefined)) ?? null,
          retryAt: mem?.retry?.at ?? null,
        };
      }),
    ),
  };
}
