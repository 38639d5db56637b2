/**
 * Sparse files stay sparse (through the real engines): a volume on production with a 256 MiB
 * sparse file is copied to a new volume on uat through the sink (tar guard → engine's extractor →
 * holes dug back). On uat's own dockerd: the same bytes, the same mtime, and a few KiB on disk
 * instead of 256 MiB. uat's busybox has no `fallocate --dig-holes`; its PostgreSQL image does, and
 * is used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { dockerCli } from '../testing/lab.js';
import { BUSYBOX, labEngines, removeQuietly, uniqueName, type LabEngines } from './testing/lab-engines.js';
import { openVolumeTar } from './volume-source.js';
import { writeVolumeTar } from './volume-sink.js';

let lab: LabEngines;
let prod: Engine;
let uat: Engine;
const src = uniqueName('hs-test-sparse-src');
const dst = uniqueName('hs-test-sparse-dst');

const inVolume = (machine: 'production' | 'uat', volume: string, script: string) => dockerCli(lab.machine(machine), 'run', '--rm', '--network', 'none', '-v', `${volume}:/v`, BUSYBOX, 'sh', '-c', script);

beforeAll(async () => {
  lab = await labEngines();
  prod = await lab.engine('production');
  uat = await lab.engine('uat');
  await dockerCli(lab.machine('production'), 'volume', 'create', src);
  await inVolume(
    'production',
    src,
    `truncate -s 256M /v/disk.img && printf 'start' | dd of=/v/disk.img conv=notrunc 2>/dev/null && printf 'middle' | dd of=/v/disk.img bs=1 seek=134217728 conv=notrunc 2>/dev/null && echo small > /v/small.txt && touch -d '2020-01-02 03:04:05' /v/disk.img`,
  );
});

afterAll(async () => {
  await removeQuietly(lab.machine('production'), 'volume', src);
  await removeQuietly(lab.machine('uat'), 'volume', dst);
  await lab.dispose();
});

describe('sparse files', () => {
  it('a 256 MiB sparse file lands on uat with its holes, its bytes and its mtime', async () => {
    const before = await inVolume('production', src, 'du -k /v/disk.img | cut -f1');
    expect(Number(before)).toBeLessThan(1024);
    const source = await openVolumeTar({ engine: prod, volume: src });
    const r = await writeVolumeTar({ engine: uat, volume: dst, tar: source.stream, clear: true });
    expect(r.tar.holeCandidates).toEqual(['disk.img']);
    expect(r.holes).toEqual({ dug: 1 });
    const [usedKiB, size, mtime, sum] = (await inVolume('uat', dst, 'du -k /v/disk.img | cut -f1; stat -c %s /v/disk.img; stat -c %Y /v/disk.img; md5sum /v/disk.img | cut -d" " -f1')).split('\n');
    expect(Number(size)).toBe(256 * 1024 * 1024);
    expect(Number(usedKiB)).toBeLessThan(1024); // holes: not 262,144 KiB of zeros
    expect(mtime).toBe(await inVolume('production', src, 'stat -c %Y /v/disk.img'));
    expect(sum).toBe(await inVolume('production', src, 'md5sum /v/disk.img | cut -d" " -f1'));
    expect(await inVolume('uat', dst, 'cat /v/small.txt')).toBe('small');
  });
});
