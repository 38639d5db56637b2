/**
 * Our retention against restic's own `forget` (Debian's restic, a real peer): the same snapshot
 * times in a real restic repository, the same policies, `restic forget --dry-run --json` — the
 * snapshots each one keeps must be the same, rule for rule. Times span two years, with several a
 * day, gaps, a DST change and ISO week 53 (2026-12-31).
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention, type RetentionPolicy } from '../../../shared/retention.js';

const run = promisify(execFile);
let dir: string;
const env = () => ({ ...process.env, TZ: 'UTC', RESTIC_PASSWORD: 'retention-test', RESTIC_REPOSITORY: path.join(dir, 'repo'), RESTIC_CACHE_DIR: path.join(dir, 'cache') });
const restic = (...args: string[]) => run('restic', args, { env: env(), maxBuffer: 64 << 20 });

/** Deterministic, irregular times: several a day at first, then daily, weekly, monthly. */
function times(): Date[] {
  const out: Date[] = [];
  let t = Date.UTC(2025, 0, 3, 4, 17);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const steps = [3, 5, 9, 20, 26, 30, 47, 70, 170, 400, 730];
  for (let i = 0; i < 45; i++) {
    t += steps[Math.floor(rnd() * steps.length)]! * 3_600_000 + Math.floor(rnd() * 3_600_000);
    out.push(new Date(Math.floor(t / 1000) * 1000)); // restic --time has whole seconds
  }
  out.push(new Date(Date.UTC(2026, 11, 31, 23, 0)), new Date(Date.UTC(2027, 0, 1, 1, 0)), new Date(Date.UTC(2027, 0, 4, 1, 0)));
  return out;
}

const stamp = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19);
let made: Date[] = [];

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hindsight-retention-'));
  await fsp.writeFile(path.join(dir, 'data.txt'), 'retention');
  await restic('init', '-q');
  made = times();
  for (const t of made) await restic('backup', '-q', '--host', 'plan-host', '--time', stamp(t), path.join(dir, 'data.txt'));
}, 240_000);

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const POLICIES: RetentionPolicy[] = [
  { keepLast: 3, keepDaily: 7, keepWeekly: 4, keepMonthly: 6, keepYearly: 2 },
  { keepHourly: 5, keepDaily: 3 },
  { keepWeekly: 10 },
  { keepMonthly: 30 },
];

const FLAG: Record<keyof RetentionPolicy, string> = { keepLast: '--keep-last', keepHourly: '--keep-hourly', keepDaily: '--keep-daily', keepWeekly: '--keep-weekly', keepMonthly: '--keep-monthly', keepYearly: '--keep-yearly' };
const REASON: Record<string, string> = { 'last snapshot': 'last', 'hourly snapshot': 'hourly', 'daily snapshot': 'daily', 'weekly snapshot': 'weekly', 'monthly snapshot': 'monthly', 'yearly snapshot': 'yearly' };

describe('retention = restic forget', () => {
  it.each(POLICIES.map((p) => [JSON.stringify(p), p] as const))('%s', async (_name, policy) => {
    const args = Object.entries(policy).flatMap(([k, v]) => [FLAG[k as keyof RetentionPolicy], String(v)]);
    const { stdout } = await restic('forget', '--dry-run', '--json', ...args);
    const groups = JSON.parse(stdout) as Array<{ keep: Array<{ time: string }>; reasons: Array<{ snapshot: { time: string }; matches: string[] }> }>;
    expect(groups).toHaveLength(1);
    const theirs = new Map(groups[0]!.reasons.map((r) => [new Date(r.snapshot.time).toISOString(), r.matches.map((m) => REASON[m] ?? m).sort()]));
    expect(groups[0]!.keep).toHaveLength(theirs.size);

    const ours = applyRetention(made.map((t) => ({ id: t.toISOString(), time: t })), policy, { timeZone: 'UTC' });
    const mine = new Map(ours.filter((d) => d.keep).map((d) => [d.time, [...d.reasons].sort()]));
    expect(mine).toEqual(theirs);
    expect(ours.length).toBe(made.length);
  });
});
