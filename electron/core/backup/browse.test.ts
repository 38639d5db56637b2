import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { manifestKey, writeJsonObject } from '../repository/index.js';
import { MemoryBackend } from '../repository/testing/memory-backend.js';
import { browseAsOf, browseList, readManifest } from './browse.js';

const H = 'a'.repeat(64);
function manifest(id: string, set: string, sources: Array<[string, string]>): Manifest {
  return {
    format: 'hindsight/1',
    id,
    set,
    sourceHost: { id: 'h', name: 'production' },
    startedAt: sources[0]![1],
    completedAt: sources[0]![1],
    tags: [],
    toolVersion: 'test',
    sources: sources.map(([name, at]) => ({
      name,
      kind: 'volume',
      origin: { hostId: 'h', hostName: 'production' },
      objectKey: `data/${id}/${name}.tar.zst`,
      format: 'tar',
      compression: 'zstd',
      encryption: 'none',
      rawBytes: 1,
      storedBytes: 1,
      rawSha256: H,
      storedSha256: H,
      startedAt: at,
      completedAt: at,
    })),
  };
}

async function repo() {
  const b = new MemoryBackend();
  const put = (m: Manifest) => writeJsonObject(b, manifestKey(m.id), m);
  await put(manifest('20261101T080000Z-shop-0001', 'shop', [['db', '2026-11-01T08:00:00Z'], ['files', '2026-11-01T08:01:00Z']]));
  await put(manifest('20261120T170000Z-shop-0002', 'shop', [['db', '2026-11-20T17:00:00Z'], ['files', '2026-11-20T17:02:00Z']]));
  await put(manifest('20261120T213000Z-shop-0003', 'shop', [['db', '2026-11-20T21:30:00Z']]));
  await put(manifest('20261120T120000Z-lab-0004', 'lab', [['notebook', '2026-11-20T12:00:00Z']]));
  return b;
}
const now = () => new Date('2026-11-21T10:00:00Z');

describe('browseList', () => {
  it('lists a period by its day prefixes only, a day meaning its whole day', async () => {
    const b = await repo();
    b.calls.length = 0;
    const list = await browseList(b, { from: '2026-11-20', to: '2026-11-20', now, timeZone: 'UTC' });
    expect(list.map((r) => r.id)).toEqual(['20261120T120000Z-lab-0004', '20261120T170000Z-shop-0002', '20261120T213000Z-shop-0003']);
    expect(b.calls).toEqual(['snapshots/2026/11/20/']);
    expect((await browseList(b, { set: 'lab', now })).map((r) => r.id)).toEqual(['20261120T120000Z-lab-0004']);
    await expect(browseList(b, { from: 'tomorrow-ish', now })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('readManifest', () => {
  it('reads one, refuses a malformed id, says NOT_FOUND for a missing one', async () => {
    const b = await repo();
    expect((await readManifest(b, '20261101T080000Z-shop-0001')).sources).toHaveLength(2);
    await expect(readManifest(b, '../etc')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(readManifest(b, '20261101T080000Z-shop-ffff')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('browseAsOf', () => {
  it('per set and per source, with warnings when the picks are far apart', async () => {
    const b = await repo();
    const r = await browseAsOf(b, { when: '2026-11-20T23:00:00Z', now, timeZone: 'UTC' });
    expect(r.sets.map((s) => [s.set, s.snapshot.id])).toEqual([
      ['lab', '20261120T120000Z-lab-0004'],
      ['shop', '20261120T213000Z-shop-0003'],
    ]);
    const shop = r.sets[1]!;
    expect(Object.fromEntries(shop.sources.map((s) => [s.source, s.snapshotId]))).toEqual({ db: '20261120T213000Z-shop-0003', files: '20261120T170000Z-shop-0002' });
    expect(shop.warnings.join('\n')).toMatch(/files is not in 20261120T213000Z-shop-0003/);
    expect(shop.warnings.join('\n')).toMatch(/4\.5 h apart/);
  });

  it('a saved set\'s sources count even when recent snapshots lack them; an earlier date picks an earlier snapshot', async () => {
    const b = await repo();
    const r = await browseAsOf(b, { when: '2026-11-20 18:00', set: 'shop', now, timeZone: 'UTC', wantedSources: () => ['db', 'files', 'uploads'] });
    expect(r.sets[0]!.snapshot.id).toBe('20261120T170000Z-shop-0002');
    expect(r.sets[0]!.missing).toEqual(['uploads']);
    const early = await browseAsOf(b, { when: '2026-11-10', set: 'shop', now, timeZone: 'UTC' });
    expect(early.sets[0]!.snapshot.id).toBe('20261101T080000Z-shop-0001');
    expect(early.sets[0]!.warnings).toEqual([]);
    const none = await browseAsOf(b, { when: '2026-10-01', now, timeZone: 'UTC' });
    expect(none.sets).toEqual([]);
    expect(none.warnings[0]).toMatch(/No snapshot at or before/);
  });
});
