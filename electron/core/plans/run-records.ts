/**
 * Run records of plans in their repository (`runs/<plan>/<time>-<kind>-<hex>.json`, one per run,
 * failed ones too) and what a console reads back from it: the last run, and the newest snapshot of
 * the plan whose latest verify passed.
 */
import { randomBytes } from 'node:crypto';
import { PlanRun } from '../../../shared/contract/plans.js';
import { parseSnapshotId } from '../../../shared/snapshot-id.js';
import { newestVerifyKeys, verifyPassed } from '../backup/verify-records.js';
import { listKeys, readJsonObject, writeJsonObject, type RepositoryBackend } from '../repository/index.js';

export const RUNS_PREFIX = 'runs/';
/** "20261205T201630.123Z": keys sort by start time, to the millisecond (two runs in one second keep their order). */
const stampOf = (iso: string) => iso.replace(/[-:]/g, '');

export async function writeRunRecord(backend: RepositoryBackend, run: PlanRun): Promise<string> {
  const key = `${RUNS_PREFIX}${run.plan}/${stampOf(run.startedAt)}-${run.kind}-${randomBytes(2).toString('hex')}.json`;
  await writeJsonObject(backend, key, PlanRun.parse(run));
  return key;
}

/**
 * What a plan's run records say: the newest run, and the newest successful backup — from one
 * listing of `runs/<plan>/` (keys sort by start time), reading records newest first (at most 50).
 */
export async function runSummary(backend: RepositoryBackend, plan: string): Promise<{ lastRun: PlanRun | null; lastGoodBackup: PlanRun | null }> {
  const keys = (await listKeys(backend, `${RUNS_PREFIX}${plan}/`)).reverse();
  const read = (key: string) => readJsonObject(backend, key, PlanRun).catch(() => null);
  const lastRun = keys[0] ? await read(keys[0]) : null;
  let lastGoodBackup: PlanRun | null = null;
  for (const key of keys.filter((k) => k.includes('-backup-')).slice(0, 50)) {
    const run = key === keys[0] ? lastRun : await read(key);
    if (run?.result === 'succeeded') {
      lastGoodBackup = run;
      break;
    }
  }
  return { lastRun, lastGoodBackup };
}

/** The newest snapshot of the plan's set whose newest verify record says it passed. */
export async function newestVerified(backend: RepositoryBackend, plan: string): Promise<string | null> {
  const byId = await newestVerifyKeys(backend, (id) => parseSnapshotId(id)?.set === plan);
  for (const id of [...byId.keys()].sort().reverse()) if (await verifyPassed(backend, byId.get(id)!)) return id;
  return null;
}
