/**
 * Restore failures on the transport and the disk: SSH dropped mid-restore (a loopback TCP relay
 * of ours in front of uat's sshd, cut while the tar streams in) and a full target volume (tmpfs of
 * 1 MiB). Each: the target rolled back to its previous content, its container running as before.
 * And the process SIGKILLed mid-copy (over an existing volume; into a new one): the helper it
 * leaves on the volume is removed by the rollback, which then puts back / removes the volume.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { BUSYBOX, inVolume, leftoverHelpers, removeQuietly, uniqueName, volumeListing } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { findInterrupted } from './handlers.js';
import { readJournal } from './journal.js';
import { rollbackOperation } from './rollback.js';
import { runRestore } from './runner.js';
import { TcpRelay as Relay } from '../testing/tcp-relay.js';
import { killMidRestore } from './testing/kill-restore.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let snap: Manifest;
let many: Manifest;
const manySrc = uniqueName('hs-rstf-many');
const src = uniqueName('hs-rstf-src');
const target = uniqueName('hs-rstf-target');
const small = uniqueName('hs-rstf-small');
const user = uniqueName('hs-rstf-user');
const smallUser = uniqueName('hs-rstf-smalluser');
const newVolume = uniqueName('hs-rstf-new');


let relay: Relay;
let viaRelay: string;

beforeAll(async () => {
  t = await labRestore();
  const prod = t.lab.machines.production;
  await dockerCli(prod, 'volume', 'create', src);
  await inVolume(prod, src, 'head -c 31457280 /dev/urandom > /v/big.bin && mkdir /v/d && echo x > /v/d/x');
  snap = await writeSnapshot(t.backend, 'ftest', { id: t.ids.production, name: 'production' }, [
    volumeFixture(await t.engine(t.ids.production), { id: t.ids.production, name: 'production' }, src),
  ]);
  await dockerCli(prod, 'volume', 'create', manySrc);
  await inVolume(prod, manySrc, 'for i in $(seq 1 700); do head -c 1024 /dev/urandom > /v/f$i; done');
  many = await writeSnapshot(t.backend, 'ftest', { id: t.ids.production, name: 'production' }, [
    volumeFixture(await t.engine(t.ids.production), { id: t.ids.production, name: 'production' }, manySrc),
  ]);
  const uat = t.lab.machines.uat;
  relay = new Relay(uat.address, uat.port);
  viaRelay = await t.addUatVia('uat-relay', await relay.listen());
  await dockerCli(uat, 'volume', 'create', target);
  await inVolume(uat, target, 'echo before > /v/before.txt && mkdir /v/keep && echo k > /v/keep/k');
  await dockerCli(uat, 'run', '-d', '--name', user, '--network', 'none', '-v', `${target}:/data`, BUSYBOX, 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait');
});

afterAll(async () => {
  const uat = t.lab.machines.uat;
  relay?.close();
  for (const c of [user, smallUser]) await removeQuietly(uat, 'container', c);
  for (const v of [target, small, newVolume]) await removeQuietly(uat, 'volume', v);
  await removeQuietly(t.lab.machines.production, 'volume', src);
  await removeQuietly(t.lab.machines.production, 'volume', manySrc);
  await t?.dispose();
});

const status = (name: string) => dockerCli(t.lab.machines.uat, 'inspect', '-f', '{{.State.Status}}', name);

describe('restore failures', () => {
  it('SSH dropped mid-restore: rolled back, containers running as before', async () => {
    const before = await volumeListing(t.lab.machines.uat, target);
    const deps = {
      ...t.deps,
      beforeStep: (step: string) => {
        if (step === 'restore') relay.cutAfter(4 * 1024 * 1024);
      },
    };
    const err = await runRestore(deps, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: viaRelay, map: { files: target }, safetyCopy: true }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/stream failed|closed|connection|disconnect/i);
    expect(relay.cuts).toBe(1);
    expect(err).toMatchObject({ message: expect.stringContaining('rolled back') });
    expect(await volumeListing(t.lab.machines.uat, target)).toEqual(before);
    expect(await status(user)).toBe('running');
  });

  it('a full target disk (1 MiB tmpfs volume): refused in pre-flight when it cannot fit; an extract that runs out of space is rolled back', async () => {
    const uat = t.lab.machines.uat;
    await dockerCli(uat, 'volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', small);
    await dockerCli(uat, 'run', '-d', '--name', smallUser, '--network', 'none', '-v', `${small}:/data`, BUSYBOX, 'sh', '-c', 'echo small > /data/s.txt; trap "exit 0" TERM; sleep 3600 & wait');
    await waitFor('the small volume seeded', async () => (await volumeListing(uat, small)).sha.includes('s.txt'));
    const before = await volumeListing(uat, small);
    // 30 MiB of files: the pre-flight sees it cannot fit; nothing is stopped or written.
    const refused = await runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: t.ids.uat, map: { files: small }, safetyCopy: true }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Not enough space') });
    expect((refused as Error).message).toContain('nothing had been changed');
    expect(await status(smallUser)).toBe('running');
    expect((await volumeListing(uat, small)).sha).toBe(before.sha);
    // 700 files of 1 KiB: 700 KiB of data passes the pre-flight, but tmpfs spends a 4 KiB page on each.
    const err = await runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: many.id, targetHostId: t.ids.uat, map: { files: small }, safetyCopy: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringContaining('rolled back') });
    expect((err as Error).message).toContain('no space left on device');
    expect(await status(smallUser)).toBe('running');
    expect((await volumeListing(uat, small)).sha).toBe(before.sha);
  });

  it('the backend process killed mid-restore: its journal is found at the next start and the rollback works (the helper it left removed)', async () => {
    const uat = t.lab.machines.uat;
    await inVolume(uat, target, 'find /v -mindepth 1 -maxdepth 1 -exec rm -rf {} + && echo before > /v/before.txt');
    const before = await volumeListing(uat, target);
    // Through the relay, which hangs the link half-way through the 30 MiB upload: the child is
    // then surely mid-restore when it is killed.
    const input = { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: viaRelay, map: { files: target }, safetyCopy: true };
    relay.stalled = false;
    relay.stallAfter(12 * 1024 * 1024);
    const { id, out } = await killMidRestore(t.configDir, input, (j) => j.step === 'restore' && j.targets[0]?.touched === true && relay.stalled);
    relay.cut(); // the dead process's connections
    expect(out).toBe(''); // it never got to finish
    expect(await status(user)).not.toBe('running'); // left stopped by the dead process
    // The next start finds it…
    const fresh = t.freshDeps();
    const found = await findInterrupted(fresh);
    expect(found.find((o) => o.id === id)).toMatchObject({ state: 'interrupted' });
    // A new restore onto that target is refused until then.
    const blocked = await runRestore(fresh, input).catch((e: unknown) => e);
    expect(blocked).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${id} was interrupted`) });
    // …and rolls it back, removing the sink helper the dead process left on the volume first.
    const r = await rollbackOperation(fresh, id);
    expect(r.state).toBe('rolled-back');
    expect(await volumeListing(uat, target)).toEqual(before);
    expect(await status(user)).toBe('running');
    expect(await leftoverHelpers(uat, target)).toEqual([]);
  }, 120_000);

  it('killed while copying into a NEW volume: operations.rollback removes its helper, then the volume — rolled back, nothing left', async () => {
    const uat = t.lab.machines.uat;
    const input = { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: viaRelay, map: { files: newVolume }, safetyCopy: true };
    relay.stalled = false;
    relay.stallAfter(12 * 1024 * 1024);
    const exists = () => dockerCli(uat, 'volume', 'inspect', newVolume).then(() => true, () => false);
    const { id } = await killMidRestore(t.configDir, input, async (j) => j.step === 'restore' && j.targets[0]?.touched === true && relay.stalled && (await exists()));
    relay.cut();
    // What the finding saw: the dead process's sink helper still holds the new volume.
    expect((await leftoverHelpers(uat, newVolume, 0)).length).toBeGreaterThan(0);
    const deps = t.freshDeps();
    const r = await rollbackOperation(deps, id);
    expect(r).toMatchObject({ state: 'rolled-back', actions: [expect.stringMatching(new RegExp(`removed the new volume ${newVolume} \\(after removing the helper container`))] });
    expect(await exists()).toBe(false);
    expect(await leftoverHelpers(uat, newVolume)).toEqual([]);
    expect((await readJournal(t.configDir, id))?.state).toBe('rolled-back');
  }, 120_000);
});
