/**
 * The agent's side of point-in-time recovery (docs/pitr.md): the jobs the console pushed
 * (`pitr.json` in its state) archived one step at a time (pitr/wal-archive.ts) — every minute by
 * the scheduler, and on demand by `hindsight-agent pitr-step` (the console's `pitr enable`). One
 * step of a job at a time, across processes: a lock file with the holder's pid; a second caller
 * waits for the first rather than ship the same segments twice.
 *   agent/pitr/<slot>-<container hash>.json       what the step remembers (the partial segment)
 *   agent/pitr/<slot>-<container hash>.last.json  the last step's report, for status
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { PitrStepReport, type PitrJob, type PitrRestoreResult } from '../../../shared/contract/pitr.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { recoverToTime } from '../pitr/pitr-restore.js';
import { newOperationId } from '../restore/runner.js';
import { AgentRepository, openRequestRepository } from './agent-config.js';
import { RpcError } from '../../../shared/contract/errors.js';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { pidAlive } from '../config/process-instance.js';
import { createLogger } from '../log.js';
import { PitrStore } from '../pitr/pitr-store.js';
import { archiveStep, slotName, stepStateFile, stopArchiving } from '../pitr/wal-archive.js';
import { createBackend as openRepository, RepositoriesStore } from '../repository/index.js';
import { consoleSigner, RequestWriters, TrustedWriters } from '../signing/index.js';
import { agentEngine } from './agent-pipes.js';

const log = createLogger('agent');
const DAY_MS = 86_400_000;

async function ownHost(stateDir: string): Promise<{ id: string; name: string }> {
  const text = await fs.readFile(path.join(stateDir, 'hosts.json'), 'utf8').catch(() => '');
  const h = text ? (JSON.parse(text) as { hosts: { id: string; name: string }[] }).hosts[0] : undefined;
  if (!h) throw new RpcError('CONFLICT', 'This agent has not been configured by a console yet.');
  return { id: h.id, name: h.name };
}

const stateOf = (stateDir: string, job: PitrJob) => stepStateFile(path.join(stateDir, 'agent'), slotName(job.repositoryId), job.container);
const lastOf = (stateDir: string, job: PitrJob) => stateOf(stateDir, job).replace(/\.json$/, '.last.json');

/** Runs `fn` holding the job's lock; waits (up to `waitMs`) while another process holds it. */
async function withJobLock<T>(file: string, waitMs: number, fn: () => Promise<T>): Promise<T | undefined> {
  const lock = `${file}.lock`;
  await fs.mkdir(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(await fs.readFile(lock, 'utf8').catch(() => '0'));
      if (!pidAlive(holder) || holder === process.pid) {
        await fs.rm(lock, { force: true });
        continue;
      }
      if (Date.now() >= deadline) return undefined;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

/** One archiving step of each job here (or of the one for `container`), each reported whatever it did. */
export async function pitrStepHere(stateDir: string, opts: { container?: string; waitMs?: number; signal?: AbortSignal } = {}): Promise<(PitrStepReport & { container: string })[]> {
  const jobs = (await new PitrStore(stateDir).list()).filter((j) => !opts.container || j.container === opts.container);
  if (opts.container && !jobs.length) throw new RpcError('NOT_FOUND', `This agent has no point-in-time job for ${opts.container}.`);
  if (!jobs.length) return [];
  const host = await ownHost(stateDir);
  const repos = new RepositoriesStore(stateDir);
  const out: (PitrStepReport & { container: string })[] = [];
  for (const job of jobs) {
    const at = new Date().toISOString();
    const report = await withJobLock(stateOf(stateDir, job), opts.waitMs ?? 0, async (): Promise<PitrStepReport> => {
      const engine = agentEngine(host.name);
      let backend;
      try {
        backend = openRepository(await repos.stored(job.repositoryId), await repos.secrets(job.repositoryId), { configDir: stateDir });
        const r = await archiveStep({
          engine,
          container: job.container,
          backend,
          host,
          signer: await consoleSigner(stateDir),
          trusted: new TrustedWriters(stateDir),
          slot: slotName(job.repositoryId),
          baseEveryMs: job.baseEveryDays * DAY_MS,
          keepBases: job.keepBases,
          stateFile: stateOf(stateDir, job),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        if (r.receiver === 'started') log.info(`pitr ${job.container}: pg_receivewal started`);
        if (r.base) log.info(`pitr ${job.container}: base backup ${r.base.id}${r.pruned.bases.length ? `; retention deleted ${r.pruned.bases.length} older one(s) and ${r.pruned.segments.length} WAL segment(s)` : ''}`);
        return { at, result: 'succeeded', cluster: r.cluster, shipped: r.shipped.length, baseId: r.base?.id ?? null, prunedBases: r.pruned.bases, retainedBytes: r.retainedBytes };
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        log.warn(`pitr ${job.container}: step failed: ${error}`);
        return { at, result: 'failed', error };
      } finally {
        engine.dispose();
        await backend?.close().catch(() => undefined);
      }
    });
    if (!report) continue; // another process is running this job's step
    await writeFileAtomic(lastOf(stateDir, job), JSON.stringify(report) + '\n').catch(() => undefined);
    out.push({ ...report, container: job.container });
  }
  return out;
}

/** The last step of each job here. */
export async function pitrReportsHere(stateDir: string): Promise<(PitrStepReport & { container: string; repositoryId: string })[]> {
  const jobs = await new PitrStore(stateDir).list();
  const out = [];
  for (const job of jobs) {
    const last = await readJsonFile(lastOf(stateDir, job), PitrStepReport).catch(() => undefined);
    if (last) out.push({ ...last, container: job.container, repositoryId: job.repositoryId });
  }
  return out;
}

/** Stops archiving `container` for `repositoryId` (the job already gone from the pushed list). */
export async function pitrStopHere(stateDir: string, req: { container: string; repositoryId: string }): Promise<{ slotDropped: boolean }> {
  const host = await ownHost(stateDir);
  const engine = agentEngine(host.name);
  const job = { hostId: host.id, container: req.container, repositoryId: req.repositoryId, baseEveryDays: 7, keepBases: 2, enabledAt: '' };
  try {
    return (await withJobLock(stateOf(stateDir, job), 120_000, () => stopArchiving({ engine, container: req.container, slot: slotName(req.repositoryId) }))) ?? { slotDropped: false };
  } finally {
    engine.dispose();
    await fs.rm(stateOf(stateDir, job), { force: true });
  }
}

export const PITR_STEP_EVERY_MS = 60_000;

/** A console's point-in-time recovery onto a container of this host (the repository's credentials on stdin, never in argv). */
export const PitrRestoreRequest = z.object({
  repository: AgentRepository,
  cluster: z.string().regex(/^\d{1,20}$/),
  at: z.string().datetime({ offset: true }),
  target: z.string().min(1).max(255),
  /** The console's operation: names the recovery and safety volumes (and labels the copy for its sweep). */
  operationId: z.string().regex(/^[A-Za-z0-9._-]{1,160}$/).optional(),
  /** The agent's own image (as the console saw it): its GNU tar makes the swap's safety copy. */
  safetyImage: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,300}$/).optional(),
  /** The writers the console trusts now (else those of its last push). */
  trusted: RequestWriters.optional(),
});

/**
 * Agent side: the recovery here, from the repository straight into this host. Nothing the request
 * says about the archive is trusted: the records and lists are read and checked against the
 * writers the console pinned (sent with the request).
 */
export async function pitrRestoreHere(stateDir: string, req: z.output<typeof PitrRestoreRequest>, ctx: TaskContext): Promise<PitrRestoreResult> {
  const host = await ownHost(stateDir);
  const { backend, dispose } = await openRequestRepository(stateDir, req.repository);
  const engine = agentEngine(host.name);
  try {
    return await recoverToTime({ engine, backend, trusted: new TrustedWriters(stateDir, req.trusted), cluster: req.cluster, at: req.at, target: req.target, opId: req.operationId ?? newOperationId('restore'), safetyImage: req.safetyImage, ctx });
  } finally {
    engine.dispose();
    await backend.close().catch(() => undefined);
    await dispose();
  }
}
