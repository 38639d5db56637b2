/**
 * Run records of plans in their repository (`runs/<plan>/<time>-<kind>-<hex>.json`, one per run,
 * failed ones too) and what a console reads back from it: the last run, and the newest snapshot of
 * the plan whose latest verify passed.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PlanRun } from '../../../shared/contract/plans.js';
import { parseSnapshotId } from '../../../shared/snapshot-id.js';
import { readJsonObject, writeJsonObject, type RepositoryBackend } from '../repository/index.js';

export const RUNS_PREFIX = 'runs/';
const stampOf = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export async function writeRunRecord(backend: RepositoryBackend, run: PlanRun): Promise<string> {
  const key = `${RUNS_PREFIX}${run.plan}/${stampOf(run.startedAt)}-${run.kind}-${randomBytes(2).toString('hex')}.json`;
  await writeJsonObject(backend, key, PlanRun.parse(run));
  return key;
}

async function keysUnder(backend: RepositoryBackend, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of backend.list(prefix)) keys.push(o.key);
  return keys.sort();
}

/** The newest run record of a plan; keys sort by their start time. */
export async function lastRun(backend: RepositoryBackend, plan: string): Promise<PlanRun | null> {
  const newest = (await keysUnder(backend, `${RUNS_PREFIX}${plan}/`)).at(-1);
  return newest ? readJsonObject(backend, newest, PlanRun) : null;
}

/** The newest successful backup run of a plan (records read newest first, at most 50). */
export async function lastGoodBackup(backend: RepositoryBackend, plan: string): Promise<PlanRun | null> {
  const keys = (await keysUnder(backend, `${RUNS_PREFIX}${plan}/`)).filter((k) => k.includes('-backup-')).reverse().slice(0, 50);
  for (const key of keys) {
    const run = await readJsonObject(backend, key, PlanRun).catch(() => null);
    if (run?.result === 'succeeded') return run;
  }
  return null;
}

const VerifyOutcome = z.object({ ok: z.boolean() }).loose();

/** The newest snapshot of the plan's set whose newest verify record says it passed. */
export async function newestVerified(backend: RepositoryBackend, plan: string): Promise<string | null> {
  const byId = new Map<string, string>();
  for (const key of await keysUnder(backend, 'verify/')) {
    const id = key.split('/')[1]!;
    if (parseSnapshotId(id)?.set === plan) byId.set(id, key); // keys sorted: the last one per id is its newest
  }
  for (const id of [...byId.keys()].sort().reverse()) {
    const ok = await readJsonObject(backend, byId.get(id)!, VerifyOutcome).then((r) => r.ok, () => false);
    if (ok) return id;
  }
  return null;
}
