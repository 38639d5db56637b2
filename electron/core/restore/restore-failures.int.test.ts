/**
 * Restore failures on the transport and the disk: SSH dropped mid-restore (a loopback TCP relay
 * of ours in front of uat's sshd, cut while the tar streams in) and a full target volume (tmpfs of
 * 1 MiB). Each: the target rolled back to its previous content, its container running as before.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { BUSYBOX, inVolume, removeQuietly, uniqueName, volumeListing } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let snap: Manifest;
const src = uniqueName('hs-rstf-src');
const target = uniqueName('hs-rstf-target');
const small = uniqueName('hs-rstf-small');
const user = uniqueName('hs-rstf-user');
const smallUser = uniqueName('hs-rstf-smalluser');

/** A TCP relay to uat's sshd that can cut every connection once `cutAfter` more client bytes went through. */
class Relay {
  server = net.createServer((client) => this.accept(client));
  sockets = new Set<net.Socket>();
  upBytes = 0;
  cutAt: number | undefined;
  cuts = 0;
  constructor(private readonly address: string, private readonly port: number) {}
  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
  }
  private accept(client: net.Socket) {
    const up = net.connect(this.port, this.address);
    for (const s of [client, up]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => this.sockets.delete(s));
    }
    client.on('data', (d: Buffer) => {
      this.upBytes += d.length;
      if (this.cutAt !== undefined && this.upBytes >= this.cutAt) this.cut();
    });
    client.pipe(up);
    up.pipe(client);
  }
  cutAfter(bytes: number) {
    this.cutAt = this.upBytes + bytes;
  }
  cut() {
    this.cutAt = undefined;
    this.cuts++;
    for (const s of this.sockets) s.destroy();
  }
  close() {
    this.cut();
    this.server.close();
  }
}

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
  for (const v of [target, small]) await removeQuietly(uat, 'volume', v);
  await removeQuietly(t.lab.machines.production, 'volume', src);
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

  it('a full target disk (1 MiB tmpfs volume): clean failure, rolled back', async () => {
    const uat = t.lab.machines.uat;
    await dockerCli(uat, 'volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', small);
    await dockerCli(uat, 'run', '-d', '--name', smallUser, '--network', 'none', '-v', `${small}:/data`, BUSYBOX, 'sh', '-c', 'echo small > /data/s.txt; trap "exit 0" TERM; sleep 3600 & wait');
    const before = await volumeListing(uat, small);
    expect(before.sha).toContain('s.txt');
    const err = await runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: t.ids.uat, map: { files: small }, safetyCopy: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringContaining('rolled back') });
    expect((err as Error).message).toContain("no space left on device");
    expect(await status(smallUser)).toBe('running');
    expect((await volumeListing(uat, small)).sha).toBe(before.sha);
  });
});
