/**
 * `hindsight restore --as-of "<date>"` over the real backend and the lab: two snapshots of one set
 * made at injected times (5 and 10 days apart from the date asked), different content each; the
 * CLI picks the newest at or before the date, restores it onto uat, and the volume holds that
 * snapshot's files. A date before both is an error (exit 1) with nothing touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { runCliCaptured } from '../../cli/testing/run-cli-captured.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let older: Manifest;
let newer: Manifest;
const src = uniqueName('hs-asof-src');
const target = uniqueName('hs-asof-new');

beforeAll(async () => {
  t = await labRestore();
  const prod = t.lab.machines.production;
  const host = { id: t.ids.production, name: 'production' };
  const engine = await t.engine(t.ids.production);
  await dockerCli(prod, 'volume', 'create', src);
  await inVolume(prod, src, 'echo "state of the 10th" > /v/state.txt');
  older = await writeSnapshot(t.backend, 'asof', host, [volumeFixture(engine, host, src)], { now: new Date('2026-11-10T12:00:00Z') });
  await inVolume(prod, src, 'echo "state of the 15th" > /v/state.txt && echo later > /v/later.txt');
  newer = await writeSnapshot(t.backend, 'asof', host, [volumeFixture(engine, host, src)], { now: new Date('2026-11-15T12:00:00Z') });
});

afterAll(async () => {
  await removeQuietly(t.lab.machines.uat, 'volume', target);
  await removeQuietly(t.lab.machines.production, 'volume', src);
  await t?.dispose();
});

const cli = (...args: string[]) => runCliCaptured(t.configDir, args);

const restoreAsOf = (when: string, ...more: string[]) => cli('restore', '--as-of', when, '--set', 'asof', '--repo', 'testrepo', '--to-host', 'uat', '--map', `files=${target}`, ...more);
const files = () => dockerCli(t.lab.machines.uat, 'run', '--rm', '-v', `${target}:/v:ro`, 'hindsight-lab/busybox:latest', 'sh', '-c', 'cd /v && ls && cat state.txt');

describe('hindsight restore --as-of', () => {
  it('picks the newest snapshot at or before the date (dry run names it)', async () => {
    expect(older.id < newer.id).toBe(true);
    const between = await restoreAsOf('2026-11-12T09:00:00Z', '--dry-run', '--json');
    expect(between.code).toBe(0);
    expect(JSON.parse(between.out)).toMatchObject({ snapshotId: older.id });
    expect(between.err).toContain(`: ${older.id}`);
    const after = await restoreAsOf('2026-11-20', '--dry-run', '--json');
    expect(JSON.parse(after.out)).toMatchObject({ snapshotId: newer.id });
    // Exactly at a snapshot's time: that snapshot ("at or before").
    expect(JSON.parse((await restoreAsOf('2026-11-15T12:00:00Z', '--dry-run', '--json')).out)).toMatchObject({ snapshotId: newer.id });
  });

  it('restores what the picked snapshot holds', async () => {
    const r = await restoreAsOf('2026-11-12T09:00:00Z');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Restored ${older.id}`);
    expect(await files()).toBe('state.txt\nstate of the 10th');
    const again = await restoreAsOf('2026-11-16T00:00:00Z');
    expect(again.code).toBe(0);
    expect(await files()).toBe('later.txt\nstate.txt\nstate of the 15th');
  });

  it('a date before every snapshot: an error (exit 1), nothing restored', async () => {
    const r = await restoreAsOf('2026-11-01T00:00:00Z');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/No snapshot at or before/);
    expect(await files()).toBe('later.txt\nstate.txt\nstate of the 15th');
  });
});
