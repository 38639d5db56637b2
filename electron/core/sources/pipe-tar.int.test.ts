/**
 * GNU tar in helpers through a named pipe (pipe-tar.ts), as the agent reads and writes volumes: on
 * production's engine, with the agent's image (`npm run build:agent`; a missing image fails). This
 * test runs on the lab's host, so the pipes volume's folder on the host is the folder this process
 * shares with the helpers — as the agent shares it inside its container.
 *
 * Compared with the docker CLI (names, modes, owners, sizes, mtimes, link counts, symlink targets,
 * hashes) and across paths: what GNU tar wrote, the engine's archive endpoint restores, and back.
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAgentImage } from '../agent/testing/lab-agent.js';
import { createEngine, type Engine, type HelperPipes } from '../docker/engine.js';
import { dockerCli, readLab } from '../testing/lab.js';
import { BUSYBOX, inVolume, leftoverHelpers, removeQuietly, uniqueName, volumeListing } from './testing/lab-engines.js';
import { TRICKY_VOLUME_SEED } from './testing/tricky-volume.js';
import { openVolumeTar } from './volume-source.js';
import { writeVolumeTar } from './volume-sink.js';

const machine = readLab().machines.production;
const local = (pipes?: HelperPipes): Engine =>
  createEngine('production', { type: 'local', socketPath: machine.localSocket }, { ssh: undefined as never, passphrase: async () => undefined, ...(pipes ? { pipes } : {}) });

const pipesVolume = uniqueName('hs-test-pipes');
const src = uniqueName('hs-test-pipe-src');
const targets = [1, 2, 3].map((i) => uniqueName(`hs-test-pipe-dst${i}`));
const big = uniqueName('hs-test-pipe-big');
let pipes: HelperPipes;
let piped: Engine;
const plain = local();

const nowhere = () => new Writable({ write: (_c, _e, cb) => cb() });
const listing = (volume: string) => volumeListing(machine, volume);
const pipeFolderEntries = () => fsp.readdir(pipes.dir);

beforeAll(async () => {
  const image = requireAgentImage();
  await promisify(execFile)('docker', ['-H', `unix://${machine.localSocket}`, 'load', '-q', '-i', image.path]);
  await dockerCli(machine, 'volume', 'create', pipesVolume);
  pipes = { dir: await dockerCli(machine, 'volume', 'inspect', '-f', '{{.Mountpoint}}', pipesVolume), volume: pipesVolume, image: image.id };
  piped = local(pipes);
  await dockerCli(machine, 'volume', 'create', src);
  await inVolume(machine, src, TRICKY_VOLUME_SEED);
});

afterAll(async () => {
  for (const v of [src, big, ...targets, pipesVolume]) await removeQuietly(machine, 'volume', v);
});

describe('volumes through GNU tar in a helper (the agent’s path)', () => {
  it('restores every name, mode, owner, mtime, link and byte, and leaves no helper and no pipe', async () => {
    const source = await openVolumeTar({ engine: piped, volume: src });
    expect(source.helper.image).toBe(pipes.image);
    const result = await writeVolumeTar({ engine: piped, volume: targets[0]!, tar: source.stream, clear: true });
    await source.closed;
    expect(result).toMatchObject({ created: true, image: pipes.image });
    expect(result.tar.files).toBeGreaterThan(5);
    const [a, b] = [await listing(src), await listing(targets[0]!)];
    expect(b.stat).toBe(a.stat);
    expect(b.sha).toBe(a.sha);
    expect(await leftoverHelpers(machine, src)).toEqual([]);
    expect(await leftoverHelpers(machine, targets[0]!)).toEqual([]);
    expect(await pipeFolderEntries()).toEqual([]);
  });

  it('writes what the engine’s archive endpoint reads, and the other way round (clear removes what was there)', async () => {
    // GNU tar's archive → the engine's extractor.
    let source = await openVolumeTar({ engine: piped, volume: src });
    await writeVolumeTar({ engine: plain, volume: targets[1]!, tar: source.stream, clear: true });
    await source.closed;
    expect(await listing(targets[1]!)).toEqual(await listing(src));
    // The engine's archive → GNU tar, into a volume holding stale files.
    await dockerCli(machine, 'volume', 'create', targets[2]!);
    await inVolume(machine, targets[2]!, 'mkdir -p /v/stale && echo old > /v/stale/x && echo old > /v/private');
    source = await openVolumeTar({ engine: plain, volume: src });
    await writeVolumeTar({ engine: piped, volume: targets[2]!, tar: source.stream, clear: true });
    await source.closed;
    expect(await listing(targets[2]!)).toEqual(await listing(src));
  });

  it('an image without GNU tar: a clear error on both sides, nothing left behind', async () => {
    const busybox = local({ ...pipes, image: BUSYBOX });
    await expect(openVolumeTar({ engine: busybox, volume: src })).rejects.toThrow(/GNU tar reading volume .* failed with exit code [1-9]: .*(unrecognized|invalid) option/s);
    const source = await openVolumeTar({ engine: piped, volume: src });
    await expect(writeVolumeTar({ engine: busybox, volume: targets[1]!, tar: source.stream, clear: false })).rejects.toThrow(/GNU tar writing volume .* failed with exit code [1-9]: .*(unrecognized|invalid) option/s);
    await source.closed;
    expect(source.stream.destroyed).toBe(true);
    expect(await leftoverHelpers(machine, src)).toEqual([]);
    expect(await leftoverHelpers(machine, targets[1]!)).toEqual([]);
    expect(await pipeFolderEntries()).toEqual([]);
  });

  it('an input that fails while the helper starts: that error, no crash, nothing left behind', async () => {
    const failing = new Readable({ read() {} });
    setTimeout(() => failing.destroy(new Error('the stored data is corrupted')), 20);
    await expect(writeVolumeTar({ engine: piped, volume: targets[1]!, tar: failing, clear: true })).rejects.toThrow('the stored data is corrupted');
    expect(await leftoverHelpers(machine, targets[1]!)).toEqual([]);
    expect(await pipeFolderEntries()).toEqual([]);
  });

  it('a tar killed half-way is an error, never a short archive that passes for a whole one', async () => {
    await dockerCli(machine, 'volume', 'create', big);
    await inVolume(machine, big, 'head -c 134217728 /dev/urandom > /v/big.bin');
    const source = await openVolumeTar({ engine: piped, volume: big });
    let killed = false;
    source.stream.once('data', () => {
      killed = true;
      void dockerCli(machine, 'kill', source.helper.id).catch(() => undefined);
    });
    await expect(pipeline(source.stream, nowhere())).rejects.toThrow();
    expect(killed).toBe(true);
    await source.closed;
    expect(await leftoverHelpers(machine, big)).toEqual([]);
    expect(await pipeFolderEntries()).toEqual([]);
  });
});
