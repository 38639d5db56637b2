/**
 * Volume source → sink, production → uat, through the SSH tunnels: the tar streams straight from
 * one engine's archive endpoint into the other's. Compared with the docker CLI on both machines:
 * names, modes, owners, sizes, mtimes, link counts, types, symlink targets, file hashes.
 */
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { dockerCli } from '../testing/lab.js';
import { BUSYBOX, inVolume, labEngines, leftoverHelpers, removeQuietly, uniqueName, volumeListing, type LabEngines } from './testing/lab-engines.js';
import { openVolumeTar } from './volume-source.js';
import { BIG_MIB, TRICKY_VOLUME_SEED as SEED } from './testing/tricky-volume.js';
import { writeVolumeTar } from './volume-sink.js';


let lab: LabEngines;
let prod: Engine;
let uat: Engine;
const srcVolume = uniqueName('hs-test-src');
const dstVolume = uniqueName('hs-test-dst');
const newVolume = uniqueName('hs-test-new');

beforeAll(async () => {
  lab = await labEngines();
  prod = await lab.engine('production');
  uat = await lab.engine('uat');
  await dockerCli(lab.machine('production'), 'volume', 'create', srcVolume);
  await inVolume(lab.machine('production'), srcVolume, SEED);
  // The target already holds things a restore must remove.
  await dockerCli(lab.machine('uat'), 'volume', 'create', dstVolume);
  await inVolume(lab.machine('uat'), dstVolume, 'mkdir -p /v/stale/dir && echo old > /v/stale.txt && echo old > /v/stale/dir/x && echo keep > /v/private');
});

afterAll(async () => {
  await removeQuietly(lab.machine('production'), 'volume', srcVolume);
  await removeQuietly(lab.machine('uat'), 'volume', dstVolume);
  await removeQuietly(lab.machine('uat'), 'volume', newVolume);
  await lab.dispose();
});

/** Listings with the mount point's own name made comparable. */
async function listing(machine: 'production' | 'uat', volume: string) {
  return volumeListing(lab.machine(machine), volume);
}

describe('volume round trip production → uat', () => {
  it('restores every name, mode, owner, mtime, link and byte (clear: true removes what was there)', async () => {
    const source = await openVolumeTar({ engine: prod, volume: srcVolume });
    expect(source.users).toEqual([]);
    const result = await writeVolumeTar({ engine: uat, volume: dstVolume, tar: source.stream, clear: true });
    await source.closed;
    expect(result).toMatchObject({ volume: dstVolume, created: false, image: BUSYBOX });

    const before = await listing('production', srcVolume);
    const after = await listing('uat', dstVolume);
    expect(after.stat).toBe(before.stat);
    expect(after.sha).toBe(before.sha);
    // Spot checks, so a listing that is equally wrong on both sides cannot pass.
    const lines = before.stat.split('\n');
    expect(lines).toContain('/v|755|0:0|4096|1049522828|5|directory|/v');
    expect(lines).toContain('/v/owned|644|1234:5678|6|981173106|1|regular file|/v/owned');
    expect(lines).toContain('/v/private|600|0:0|7|981173106|1|regular file|/v/private');
    expect(lines).toContain('/v/suid|4755|0:0|5|981173106|1|regular file|/v/suid');
    expect(lines).toContain('/v/empty dir|755|0:0|4096|1049522828|2|directory|/v/empty dir');
    expect(lines).toContain('/v/dir with space|700|1234:5678|4096|1049522828|2|directory|/v/dir with space');
    expect(lines.find((l) => l.startsWith('/v/abs-link|'))).toMatch(/\|symbolic link\|'\/v\/abs-link' -> '\/etc\/passwd'$/);
    expect(lines.find((l) => l.startsWith('/v/dangling|'))).toMatch(/'\/v\/dangling' -> '..\/nowhere\/missing'$/);
    expect(lines.find((l) => l.startsWith('/v/dangling|'))).toContain('|1015218367|');
    expect(lines.find((l) => l.startsWith('/v/hard|'))).toMatch(/^\/v\/hard\|644\|0:0\|6\|981173106\|2\|/);
    expect(lines.find((l) => l.startsWith('/v/big.bin|'))).toContain(`|${BIG_MIB * 1024 * 1024}|`);
    expect(lines).toContain('/v/résumé 2026.txt|644|0:0|8|981173106|1|regular file|/v/résumé 2026.txt');
    expect(after.stat).not.toContain('stale');
    // Same inode for the hard link pair on the target.
    const inodes = await inVolume(lab.machine('uat'), dstVolume, 'stat -c %i /v/hard /v/nested/deep/er/file.txt');
    expect(new Set(inodes.split('\n')).size).toBe(1);

    expect(await leftoverHelpers(lab.machine('production'), srcVolume)).toEqual([]);
    expect(await leftoverHelpers(lab.machine('uat'), dstVolume)).toEqual([]);
  });

  it('creates a missing target volume (labelled), merging without clear', async () => {
    const source = await openVolumeTar({ engine: prod, volume: srcVolume });
    const result = await writeVolumeTar({ engine: uat, volume: newVolume, tar: source.stream, clear: false, labels: { 'org.hindsight.test': 'yes' } });
    expect(result.created).toBe(true);
    const labels = JSON.parse(await dockerCli(lab.machine('uat'), 'volume', 'inspect', '--format', '{{json .Labels}}', newVolume));
    expect(labels).toEqual({ 'org.hindsight.created-by': 'hindsight', 'org.hindsight.test': 'yes' });
    expect((await listing('uat', newVolume)).sha).toBe((await listing('production', srcVolume)).sha);
    expect(await leftoverHelpers(lab.machine('uat'), newVolume)).toEqual([]);
  });

  it('the stream is a plain tar: "./"-named entries, and GNU tar recreates the volume in an empty dir', async () => {
    const source = await openVolumeTar({ engine: prod, volume: srcVolume });
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hs-volume-tar-'));
    try {
      const tar = spawn('tar', ['-x', '--same-owner', '-C', dir], { stdio: ['pipe', 'inherit', 'inherit'] });
      const exited = new Promise<number | null>((r) => tar.once('close', r));
      await pipeline(source.stream, tar.stdin);
      expect(await exited).toBe(0);
      await source.closed;
      expect(await fsp.readFile(path.join(dir, 'nested/deep/er/file.txt'), 'utf8')).toBe('hello\n');
      expect(await fsp.readlink(path.join(dir, 'dangling'))).toBe('../nowhere/missing');
      expect(await fsp.readlink(path.join(dir, 'abs-link'))).toBe('/etc/passwd');
      const owned = await fsp.stat(path.join(dir, 'owned'));
      expect([owned.uid, owned.gid, owned.mtimeMs / 1000]).toEqual([1234, 5678, 981173106]);
      expect((await fsp.stat(path.join(dir, 'hard'))).nlink).toBe(2);
      expect((await fsp.stat(path.join(dir, 'suid'))).mode & 0o7777).toBe(0o4755);
      expect(await fsp.readFile(path.join(dir, 'résumé 2026.txt'), 'utf8')).toBe('accents\n');
      expect((await fsp.stat(path.join(dir, 'big.bin'))).size).toBe(BIG_MIB * 1024 * 1024);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
    expect(await leftoverHelpers(lab.machine('production'), srcVolume)).toEqual([]);
  });

  it('a missing source volume is NOT_FOUND and creates nothing', async () => {
    const ghost = uniqueName('hs-test-ghost');
    await expect(openVolumeTar({ engine: prod, volume: ghost })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await dockerCli(lab.machine('production'), 'volume', 'ls', '-q', '--filter', `name=${ghost}`)).toBe('');
  });
});
