import { beforeEach, describe, expect, it } from 'vitest';
import { makeSnapshotId } from '../../../../shared/snapshot-id.js';
import { MemoryBackend } from '../testing/memory-backend.js';
import { manifestKey, prefixesForRange } from './layout.js';
import { asOf, listSnapshots } from './snapshots.js';

const at = (iso: string) => new Date(iso);
let n = 0;
/** A manifest for a snapshot of `set` started at `iso` (ids get distinct suffixes). */
function snap(backend: MemoryBackend, set: string, iso: string): string {
  const id = makeSnapshotId(set, { now: at(iso), random: () => (n++ % 65536) / 65536 });
  backend.seed(manifestKey(id), '{}');
  return id;
}

let repo: MemoryBackend;
const ids: Record<string, string> = {};
beforeEach(() => {
  repo = new MemoryBackend();
  ids.a = snap(repo, 'shop', '2025-06-15T10:00:00Z');
  ids.b = snap(repo, 'shop', '2026-10-31T23:00:00Z');
  ids.c = snap(repo, 'science', '2026-11-01T01:00:00Z');
  ids.d = snap(repo, 'shop', '2026-11-21T08:00:00Z');
  ids.e = snap(repo, 'shop', '2026-11-21T18:00:00Z');
  ids.f = snap(repo, 'science', '2026-11-21T18:00:01Z');
  ids.g = snap(repo, 'shop', '2026-11-22T02:00:00Z');
  ids.h = snap(repo, 'shop', '2027-01-01T00:00:00Z');
  // Things that are not manifests are ignored.
  repo.seed('snapshots/2026/11/21/README.txt', 'hello');
  repo.seed('data/' + ids.d + '/db.sql.zst', 'x');
  repo.calls.length = 0;
});

describe('listSnapshots', () => {
  it('lists a range through its day prefixes only, oldest first', async () => {
    const refs = await listSnapshots(repo, { from: at('2026-11-21T00:00:00Z'), to: at('2026-11-22T12:00:00Z') });
    expect(refs.map((r) => r.id)).toEqual([ids.d, ids.e, ids.f, ids.g]);
    expect(repo.calls).toEqual(['snapshots/2026/11/21/', 'snapshots/2026/11/22/']);
  });

  it('honours the exact bounds inside the first and last day', async () => {
    const refs = await listSnapshots(repo, { from: at('2026-11-21T08:00:00.400Z'), to: at('2026-11-21T18:00:00.900Z') });
    expect(refs.map((r) => r.id)).toEqual([ids.d, ids.e]);
    expect(repo.calls).toEqual(['snapshots/2026/11/21/']);
  });

  it('crosses month and year boundaries, collapsing whole months', async () => {
    const refs = await listSnapshots(repo, { from: at('2026-10-31T00:00:00Z'), to: at('2027-01-01T23:59:59Z') });
    expect(refs.map((r) => r.id)).toEqual([ids.b, ids.c, ids.d, ids.e, ids.f, ids.g, ids.h]);
    expect(repo.calls).toEqual(['snapshots/2026/10/31/', 'snapshots/2026/11/', 'snapshots/2026/12/', 'snapshots/2027/01/01/']);
  });

  it('filters by backup set', async () => {
    const refs = await listSnapshots(repo, { from: at('2026-01-01T00:00:00Z'), to: at('2026-12-31T23:59:59Z'), set: 'science' });
    expect(refs.map((r) => [r.id, r.set, r.time.toISOString()])).toEqual([
      [ids.c, 'science', '2026-11-01T01:00:00.000Z'],
      [ids.f, 'science', '2026-11-21T18:00:01.000Z'],
    ]);
    expect(repo.calls).toEqual(['snapshots/2026/']);
  });

  it('without bounds, lists from the oldest snapshot (one listing finds it) to now', async () => {
    const now = at('2026-11-21T12:00:00Z');
    const refs = await listSnapshots(repo, { now: () => now });
    expect(refs.map((r) => r.id)).toEqual([ids.a, ids.b, ids.c, ids.d]);
    expect(repo.calls).toEqual(['snapshots/', ...prefixesForRange(at('2025-06-15T10:00:00Z'), now)]);
  });

  it('is empty for an empty repository', async () => {
    expect(await listSnapshots(new MemoryBackend())).toEqual([]);
  });
});

describe('asOf', () => {
  it('picks the newest snapshot at or before the date', async () => {
    expect((await asOf(repo, at('2026-11-21T18:00:00Z')))?.id).toBe(ids.e);
    expect((await asOf(repo, at('2026-11-21T18:00:01Z')))?.id).toBe(ids.f);
    expect((await asOf(repo, at('2026-11-21T17:59:59Z')))?.id).toBe(ids.d);
    expect((await asOf(repo, at('2030-01-01T00:00:00Z')))?.id).toBe(ids.h);
  });

  it('steps back to an earlier day, month or year when the day holds nothing early enough', async () => {
    // 07:00 on the 21st: the 21st holds only later snapshots; the previous existing day is 1 Nov.
    expect((await asOf(repo, at('2026-11-21T07:00:00Z')))?.id).toBe(ids.c);
    // Across a year boundary and a long gap.
    expect((await asOf(repo, at('2026-10-01T00:00:00Z')))?.id).toBe(ids.a);
  });

  it('usually needs one list request: the month of the date', async () => {
    repo.calls.length = 0;
    expect((await asOf(repo, at('2026-11-21T18:00:00Z')))?.id).toBe(ids.e);
    expect((await asOf(repo, at('2026-11-21T07:00:00Z')))?.id).toBe(ids.c);
    expect(repo.calls).toEqual(['snapshots/2026/11/', 'snapshots/2026/11/']);
  });

  it('walks back one month per request, no further than the oldest snapshot', async () => {
    repo.calls.length = 0;
    expect((await asOf(repo, at('2026-10-01T00:00:00Z')))?.id).toBe(ids.a);
    const monthsBack = ['2026/09', '2026/08', '2026/07', '2026/06', '2026/05', '2026/04', '2026/03', '2026/02', '2026/01',
      '2025/12', '2025/11', '2025/10', '2025/09', '2025/08', '2025/07', '2025/06'].map((m) => `snapshots/${m}/`);
    expect(repo.calls).toEqual(['snapshots/2026/10/', 'snapshots/', ...monthsBack]);
    repo.calls.length = 0;
    expect(await asOf(repo, at('2025-06-15T09:00:00Z'))).toBeNull();
    expect(repo.calls).toEqual(['snapshots/2025/06/', 'snapshots/']);
  });

  it('filters by set', async () => {
    expect((await asOf(repo, at('2026-11-21T23:00:00Z'), { set: 'science' }))?.id).toBe(ids.f);
    expect((await asOf(repo, at('2026-11-21T18:00:00Z'), { set: 'science' }))?.id).toBe(ids.c);
    expect(await asOf(repo, at('2026-11-21T18:00:00Z'), { set: 'nothing' })).toBeNull();
  });

  it('returns null before the first snapshot, and respects notBefore', async () => {
    expect(await asOf(repo, at('2025-06-15T09:59:59Z'))).toBeNull();
    expect(await asOf(repo, at('2026-10-01T00:00:00Z'), { notBefore: at('2026-01-01T00:00:00Z') })).toBeNull();
    expect((await asOf(repo, at('2026-11-21T07:00:00Z'), { notBefore: at('2026-11-01T00:00:00Z') }))?.id).toBe(ids.c);
    expect(await asOf(new MemoryBackend(), new Date())).toBeNull();
  });
});
