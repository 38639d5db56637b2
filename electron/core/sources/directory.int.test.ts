/**
 * A directory inside a container, production → uat, through the archive endpoint of the
 * containers themselves (no helper): content, owners, modes, a symlink climbing out of it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../backup/run-backup.js';
import { initRepository, LocalBackend } from '../repository/index.js';
import type { Engine } from '../docker/engine.js';
import { dockerCli } from '../testing/lab.js';
import { openDirectoryTar, writeDirectoryTar } from './directory.js';
import { BUSYBOX, labEngines, removeQuietly, uniqueName, type LabEngines } from './testing/lab-engines.js';

const LOOP = 'trap "exit 0" TERM; while :; do sleep 1; done';
const SEED = `
mkdir -p /data/sub/deeper /data/empty
echo hello > /data/sub/f.txt && chown 1234:5678 /data/sub/f.txt && chmod 0640 /data/sub/f.txt
ln -s ../etc/hostname /data/up
ln /data/sub/f.txt /data/hard
touch -d "2004-05-06 07:08:09" /data/sub/f.txt /data/sub /data
`;

let lab: LabEngines;
let prod: Engine;
let uat: Engine;
const source = uniqueName('hs-test-dir-src');
const target = uniqueName('hs-test-dir-dst');
const stopped = uniqueName('hs-test-dir-stopped');

const listing = (machine: 'production' | 'uat', container: string, dir: string) =>
  dockerCli(lab.machine(machine), 'exec', container, 'sh', '-c', `cd ${dir} && find . -exec stat -c "%n|%a|%u:%g|%s|%Y|%h|%F|%N" {} + | sort`);

beforeAll(async () => {
  lab = await labEngines();
  prod = await lab.engine('production');
  uat = await lab.engine('uat');
  const common = ['--network', 'none', '--label', 'org.hindsight.test=sources'];
  await dockerCli(lab.machine('production'), 'run', '-d', '--name', source, ...common, BUSYBOX, 'sh', '-c', LOOP);
  await dockerCli(lab.machine('production'), 'exec', source, 'sh', '-c', SEED);
  await dockerCli(lab.machine('uat'), 'run', '-d', '--name', target, ...common, BUSYBOX, 'sh', '-c', LOOP);
  await dockerCli(lab.machine('uat'), 'exec', target, 'sh', '-c', 'mkdir -p /restore/here && echo stale > /restore/here/stale');
  await dockerCli(lab.machine('uat'), 'create', '--name', stopped, ...common, BUSYBOX, 'true');
});

afterAll(async () => {
  await removeQuietly(lab.machine('production'), 'container', source);
  await removeQuietly(lab.machine('uat'), 'container', target);
  await removeQuietly(lab.machine('uat'), 'container', stopped);
  await lab.dispose();
});

describe('directory source and sink', () => {
  it('copies a directory between running containers, clearing the target first', async () => {
    const src = await openDirectoryTar({ engine: prod, container: source, path: '/data/' });
    await writeDirectoryTar({ engine: uat, container: target, path: '/restore/here', tar: src.stream, clear: true });
    const before = await listing('production', source, '/data');
    expect(before).toContain('./sub/f.txt|640|1234:5678|6|1083827289|2|regular file|./sub/f.txt');
    expect(before).toContain("./up|777|0:0|15|");
    expect(await listing('uat', target, '/restore/here')).toBe(before);
  });

  it('writes into a stopped container (creating the directory), but will not clear one', async () => {
    const src = await openDirectoryTar({ engine: prod, container: source, path: '/data' });
    await writeDirectoryTar({ engine: uat, container: stopped, path: '/new/dir', tar: src.stream, clear: false });
    // A stopped container cannot be asked its size (no exec): the backup goes on without it.
    const fromStopped = await openDirectoryTar({ engine: uat, container: stopped, path: '/new/dir' });
    expect(fromStopped.sizeOnDisk).toBeUndefined();
    fromStopped.stream.resume();
    await new Promise((r) => fromStopped.stream.once('close', r));
    const tar = await dockerCli(lab.machine('uat'), 'cp', `${stopped}:/new/dir/sub/f.txt`, '-');
    expect(tar).toContain('hello');
    const again = await openDirectoryTar({ engine: prod, container: source, path: '/data' });
    await expect(writeDirectoryTar({ engine: uat, container: stopped, path: '/new/dir', tar: again.stream, clear: true })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses relative paths, ".." and the root; a missing directory is NOT_FOUND', async () => {
    await expect(openDirectoryTar({ engine: prod, container: source, path: 'data' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(openDirectoryTar({ engine: prod, container: source, path: '/data/../etc' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(openDirectoryTar({ engine: prod, container: source, path: '/' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(openDirectoryTar({ engine: prod, container: source, path: '/nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('backs up a directory larger than the connection holds (the engine locks the container while it sends the archive)', async () => {
    // Asking the engine about the container while its archive was unread hung here: the archive
    // waited for a reader, the question for the archive (sources/directory.ts).
    await dockerCli(lab.machine('production'), 'exec', source, 'sh', '-c', 'mkdir -p /big && head -c 16000000 /dev/urandom > /big/blob');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hs-dir-backup-'));
    try {
      const backend = new LocalBackend(path.join(dir, 'repo'));
      await initRepository(backend);
      const { manifest } = await runBackup({
        set: 'big-dir',
        host: { id: 'production', name: 'production' },
        engine: prod,
        backend,
        sources: [{ kind: 'directory', name: 'big', container: source, path: '/big' }],
        compression: 'zstd',
        encryption: { kind: 'none', spec: { kind: 'none' } },
        stopContainers: false,
        tags: [],
      });
      expect(manifest.sources[0]!.fileBytes).toBe(16_000_000);
      expect(manifest.sources[0]!.origin.container).toBe(source);
      // Its size on disk, asked of the running container before the archive, bounds the tar (S3 part sizes).
      const measured = await openDirectoryTar({ engine: prod, container: source, path: '/big' });
      measured.stream.resume();
      await new Promise((r) => measured.stream.once('close', r));
      expect(measured.sizeOnDisk).toBeGreaterThanOrEqual(16_000_000);
      expect(measured.sizeOnDisk).toBeLessThan(17_500_000);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
