/**
 * The CLI over the real backend and the lab: `hindsight restore` (dry run, refused on a protected
 * host, run, failed and rolled back), `hindsight verify`, `hindsight operations` — and their exit
 * codes (0 ok, 2 failed and rolled back, 3 refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { runCliCaptured } from '../../cli/testing/run-cli-captured.js';
import { inVolume, removeQuietly, uniqueName, volumeListing } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { corruptObject, volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let snap: Manifest;
let bad: Manifest;
const src = uniqueName('hs-rstc-src');
const target = uniqueName('hs-rstc-new');

beforeAll(async () => {
  t = await labRestore();
  const prod = t.lab.machines.production;
  await dockerCli(prod, 'volume', 'create', src);
  await inVolume(prod, src, 'echo one > /v/one && mkdir -p "/v/a dir" && echo two > "/v/a dir/two"');
  const host = { id: t.ids.production, name: 'production' };
  const engine = await t.engine(t.ids.production);
  snap = await writeSnapshot(t.backend, 'clitest', host, [volumeFixture(engine, host, src)]);
  bad = await writeSnapshot(t.backend, 'clitest', host, [volumeFixture(engine, host, src)]);
  await corruptObject(t.repoDir, bad.sources[0]!.objectKey);
});

afterAll(async () => {
  await removeQuietly(t.lab.machines.uat, 'volume', target);
  await removeQuietly(t.lab.machines.production, 'volume', src);
  await t?.dispose();
});

const cli = (...args: string[]) => runCliCaptured(t.configDir, args);

describe('hindsight restore / verify / operations', () => {
  it('--dry-run prints the plan with the equivalent commands and changes nothing', async () => {
    const r = await cli('restore', snap.id, '--repo', 'testrepo', '--to-host', 'uat', '--map', `files=${target}`, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`files (volume) → volume ${target} (new)`);
    expect(r.out).toMatch(/\$ cat data\/.*files\.tar\.zst \| zstd -d \| ssh hindsight@127\.0\.0\.12 -p 2222/);
    expect(await dockerCli(t.lab.machines.uat, 'volume', 'ls', '-q', '--filter', `name=${target}`)).toBe('');
    const json = await cli('restore', snap.id, '--repo', 'testrepo', '--to-host', 'uat', '--map', `files=${target}`, '--dry-run', '--json');
    expect(JSON.parse(json.out)).toMatchObject({ snapshotId: snap.id, blockers: [], targets: [{ target, create: true }] });
  });

  it('a protected host without --confirm: exit 3, nothing touched', async () => {
    const before = await volumeListing(t.lab.machines.production, src);
    const r = await cli('restore', snap.id, '--repo', 'testrepo', '--to-host', 'production', '--map', `files=${src}`);
    expect(r.code).toBe(3);
    expect(r.err).toContain('--confirm production');
    expect(await volumeListing(t.lab.machines.production, src)).toEqual(before);
  });

  it('runs a restore (exit 0), a corrupted one fails and is rolled back (exit 2); operations lists both; verify passes', async () => {
    const ok = await cli('restore', snap.id, '--repo', 'testrepo', '--to-host', 'uat', '--map', `files=${target}`);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`Restored ${snap.id}`);
    expect(ok.err).toMatch(/%\] Restoring files/);
    expect((await volumeListing(t.lab.machines.uat, target)).sha).toBe((await volumeListing(t.lab.machines.production, src)).sha);

    const failed = await cli('restore', bad.id, '--repo', 'testrepo', '--to-host', 'uat', '--map', `files=${target}`, '--json');
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.out)).toMatchObject({ ok: false, exitCode: 2, message: expect.stringContaining('rolled back') });
    expect((await volumeListing(t.lab.machines.uat, target)).sha).toBe((await volumeListing(t.lab.machines.production, src)).sha);

    const ops = await cli('operations', '--json');
    expect(ops.code).toBe(0);
    const list = JSON.parse(ops.out) as Array<{ state: string; snapshotId: string }>;
    expect(list.map((o) => [o.snapshotId, o.state])).toEqual(expect.arrayContaining([[snap.id, 'succeeded'], [bad.id, 'rolled-back']]));
    const audit = await cli('operations', '--audit', '--text', bad.id, '--json');
    expect(JSON.parse(audit.out)).toMatchObject([{ snapshotId: bad.id, result: 'rolled-back' }]);

    const v = await cli('verify', snap.id, '--repo', 'testrepo', '--host', 'uat');
    expect(v.code).toBe(0);
    expect(v.out).toContain(`${snap.id}: OK`);
    const vbad = await cli('verify', bad.id, '--repo', 'testrepo', '--host', 'uat');
    expect(vbad.code).toBe(2);
  });
});
