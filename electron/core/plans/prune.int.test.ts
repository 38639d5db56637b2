/**
 * Plans and retention through the CLI on the real backend: six snapshots of plan "nightly" from
 * production (one verified, one held), plus snapshots that are NOT the plan's in the same
 * repository — set "nightly" from uat, set "other" from production. `prune --dry-run` lists the
 * plan's own, each with the rule that keeps it or "delete"; `prune` deletes exactly those (manifest
 * first, then objects), touches nothing else, and clears a day-old leftover of a cut-short prune.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PruneResult } from '../../../shared/contract/plans.js';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { makeSnapshotId } from '../../../shared/snapshot-id.js';
import { runCliCaptured } from '../../cli/testing/run-cli-captured.js';
import { dataKey, listSnapshots, manifestKey } from '../repository/index.js';
import { labRestore, type LabRestore } from '../restore/testing/lab-restore.js';
import { volumeFixture, writeSnapshot } from '../restore/testing/snapshot-fixture.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';

let t: LabRestore;
const src = uniqueName('hs-prune-src');
const plan: Manifest[] = [];
let others: Manifest[] = [];
const day = (n: number) => new Date(Date.UTC(2026, 10, 10 + n, 2, 0, 0));
const put = async (key: string, body: string) => {
  const file = path.join(t.repoDir, ...key.split('/'));
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, body);
};
const cli = (...args: string[]) => runCliCaptured(t.configDir, args);

beforeAll(async () => {
  t = await labRestore();
  await dockerCli(t.lab.machines.production, 'volume', 'create', src);
  await inVolume(t.lab.machines.production, src, 'echo x > /v/x');
  const engine = await t.engine(t.ids.production);
  const prod = { id: t.ids.production, name: 'production' };
  const uat = { id: t.ids.uat, name: 'uat' };
  for (let i = 0; i < 6; i++) plan.push(await writeSnapshot(t.backend, 'nightly', prod, [volumeFixture(engine, prod, src)], { now: day(i) }));
  others = [
    await writeSnapshot(t.backend, 'nightly', uat, [volumeFixture(engine, prod, src)], { now: day(1) }),
    await writeSnapshot(t.backend, 'other', prod, [volumeFixture(engine, prod, src)], { now: day(0) }),
  ];
  // The oldest was verified (and passed: a record as restore/verify.ts writes it); the second oldest is held.
  await put(`verify/${plan[0]!.id}/20261120T000000Z.json`, JSON.stringify({ snapshotId: plan[0]!.id, hostName: 'uat', at: '2026-11-20T00:00:00.000Z', ok: true, verification: [] }));
  await put(`holds/${plan[1]!.id}.json`, '{"by":"test"}');
}, 120_000);

afterAll(async () => {
  await removeQuietly(t.lab.machines.production, 'volume', src);
  await t?.dispose();
});

describe('plans and prune', () => {
  it('a plan is saved with its next run; bad schedules and zones are refused in words', async () => {
    const add = await cli('plans', 'add', 'nightly', '--host', 'production', '--repo', 'testrepo', '--volume', src, '--schedule', 'daily', '--tz', 'UTC', '--keep-last', '2', '--json');
    expect(add.code, add.err).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ name: 'nightly', schedule: { cron: 'daily', timeZone: 'UTC' }, retention: { keepLast: 2 }, nextRun: expect.stringMatching(/T02:00:00\.000Z$/) });
    expect((await cli('plans', 'add', 'bad', '--host', 'production', '--repo', 'testrepo', '--volume', src, '--schedule', '61 * * * *')).err).toMatch(/is not a schedule/);
    expect((await cli('plans', 'add', 'bad', '--host', 'production', '--repo', 'testrepo', '--volume', src, '--schedule', 'daily', '--tz', 'Mars/Olympus')).err).toMatch(/not a time zone/);
    expect((await cli('plans', 'list')).out).toMatch(/nightly\s+daily\s+UTC/);
  });

  it('the preview lists only the plan\'s snapshots, with why each is kept; the prune deletes exactly the rest', async () => {
    const preview = JSON.parse((await cli('prune', '--plan', 'nightly', '--dry-run', '--json')).out) as PruneResult;
    expect(preview.decisions.map((d) => d.snapshotId).sort()).toEqual(plan.map((m) => m.id).sort());
    const why = Object.fromEntries(preview.decisions.map((d) => [d.snapshotId, d.keep ? d.reasons.join('+') : 'delete']));
    expect(why).toEqual({
      [plan[5]!.id]: 'last',
      [plan[4]!.id]: 'last',
      [plan[3]!.id]: 'delete',
      [plan[2]!.id]: 'delete',
      [plan[1]!.id]: 'held',
      [plan[0]!.id]: 'newest verified',
    });
    expect(preview.deleted).toEqual([]);
    expect((await listSnapshots(t.backend, {})).length).toBe(8); // a dry run deletes nothing

    // A cut-short prune's leftovers: data of a "nightly" snapshot with no manifest, two days old
    // (cleared) and a backup in progress right now (left alone).
    const stale = makeSnapshotId('nightly', { now: new Date(Date.now() - 2 * 86_400_000) });
    const inProgress = makeSnapshotId('nightly', { now: new Date() });
    await put(dataKey(stale, 'files', 'tar.zst'), 'orphan');
    await put(dataKey(inProgress, 'files', 'tar.zst'), 'being written');

    const run = JSON.parse((await cli('prune', '--plan', 'nightly', '--json')).out) as PruneResult;
    expect(run.deleted.sort()).toEqual([plan[2]!.id, plan[3]!.id].sort());
    expect(run.deleted.sort()).toEqual(preview.decisions.filter((d) => !d.keep).map((d) => d.snapshotId).sort());
    const left = (await listSnapshots(t.backend, {})).map((r) => r.id).sort();
    expect(left).toEqual([...plan.filter((_, i) => i !== 2 && i !== 3), ...others].map((m) => m.id).sort());
    for (const id of run.deleted) {
      expect(await t.backend.stat(manifestKey(id))).toBeNull();
      expect(await t.backend.stat(plan.find((m) => m.id === id)!.sources[0]!.objectKey)).toBeNull();
    }
    expect(await t.backend.stat(dataKey(stale, 'files', 'tar.zst'))).toBeNull();
    expect(await t.backend.stat(dataKey(inProgress, 'files', 'tar.zst'))).not.toBeNull();
    // The kept ones restore as before: their objects are all there.
    for (const m of [...plan.filter((_, i) => i !== 2 && i !== 3), ...others]) expect(await t.backend.stat(m.sources[0]!.objectKey)).not.toBeNull();
  });

  it('plans run: backs up, applies the retention, and leaves run records that plans list reads back; a failed run too', async () => {
    const ok = await cli('plans', 'run', 'nightly', '--json');
    expect(ok.code, ok.err).toBe(0);
    const r = JSON.parse(ok.out) as { ok: boolean; snapshotId: string; deleted: string[] };
    expect(r.snapshotId).toMatch(/-nightly-[0-9a-f]{4}$/);
    // keep-last 2: the new one and the newest before it stay, plus the held and the verified.
    expect(r.deleted).toEqual([plan[4]!.id]);
    const runs = (await t.backend.list('runs/nightly/')[Symbol.asyncIterator]().next()).value;
    expect(runs).toBeDefined();
    const shown = JSON.parse((await cli('plans', 'show', 'nightly', '--json')).out) as { lastRun: { kind: string; result: string; deleted: string[] }; newestVerified: string };
    expect(shown.lastRun).toMatchObject({ kind: 'prune', result: 'succeeded', deleted: [plan[4]!.id] });
    expect(shown.newestVerified).toBe(plan[0]!.id);

    expect((await cli('plans', 'add', 'broken', '--host', 'production', '--repo', 'testrepo', '--volume', 'hs-no-such-volume', '--schedule', 'hourly', '--tz', 'UTC')).code).toBe(0);
    const failed = await cli('plans', 'run', 'broken', '--json');
    expect(failed.code).toBe(2);
    const listed = JSON.parse((await cli('plans', 'list', '--json')).out) as Array<{ name: string; lastRun: { kind: string; result: string; error?: string; snapshotId?: string } | null }>;
    const broken = listed.find((p) => p.name === 'broken')!;
    expect(broken.lastRun).toMatchObject({ kind: 'backup', result: 'failed', error: expect.stringContaining('hs-no-such-volume') });
    expect(broken.lastRun!.snapshotId).toBeUndefined();
  });
});
