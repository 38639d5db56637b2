import { beforeEach, describe, expect, it } from 'vitest';
import { makeSnapshotId } from '../../../../shared/snapshot-id.js';
import { MemoryBackend } from '../testing/memory-backend.js';
import { manifestKey } from './layout.js';
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
    expect(repo.listCalls()).toEqual(['snapshots/2026/11/21/', 'snapshots/2026/11/22/']);
    expect(repo.calls.filter((c) => c.op === 'listPrefixes')).toEqual([]);
  });

  it('honours the exact bounds inside the first and last day', async () => {
    const refs = await listSnapshots(repo, { from: at('2026-11-21T08:00:00.400Z'), to: at('2026-11-21T18:00:00.900Z') });
    expect(refs.map((r) => r.id)).toEqual([ids.d, ids.e]);
    expect(repo.listCalls()).toEqual(['snapshots/2026/11/21/']);
  });

  it('crosses month and year boundaries, collapsing whole months', async () => {
    const refs = await listSnapshots(repo, { from: at('2026-10-31T00:00:00Z'), to: at('2027-01-01T23:59:59Z') });
    expect(refs.map((r) => r.id)).toEqual([ids.b, ids.c, ids.d, ids.e, ids.f, ids.g, ids.h]);
    expect(repo.listCalls()).toEqual(['snapshots/2026/10/31/', 'snapshots/2026/11/', 'snapshots/2026/12/', 'snapshots/2027/01/01/']);
  });

  it('filters by backup set', async () => {
    const refs = await listSnapshots(repo, { from: at('2026-01-01T00:00:00Z'), to: at('2026-12-31T23:59:59Z'), set: 'science' });
    expect(refs.map((r) => [r.id, r.set, r.time.toISOString()])).toEqual([
      [ids.c, 'science', '2026-11-01T01:00:00.000Z'],
      [ids.f, 'science', '2026-11-21T18:00:01.000Z'],
    ]);
    expect(repo.listCalls()).toEqual(['snapshots/2026/']);
  });

  it('without bounds, lists from the first year to now', async () => {
    const refs = await listSnapshots(repo, { now: () => at('2026-11-21T12:00:00Z') });
    expect(refs.map((r) => r.id)).toEqual([ids.a, ids.b, ids.c, ids.d]);
    expect(repo.listCalls()).toEqual(['snapshots/2025/', 'snapshots/2026/01/', 'snapshots/2026/02/', 'snapshots/2026/03/', 'snapshots/2026/04/',
      'snapshots/2026/05/', 'snapshots/2026/06/', 'snapshots/2026/07/', 'snapshots/2026/08/', 'snapshots/2026/09/', 'snapshots/2026/10/',
      'snapshots/2026/11/01/', ...Array.from({ length: 20 }, (_, i) => `snapshots/2026/11/${String(i + 2).padStart(2, '0')}/`)]);
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

  it('needs only a handful of list requests, however long the gap', async () => {
    repo.calls.length = 0;
    expect((await asOf(repo, at('2026-10-01T00:00:00Z')))?.id).toBe(ids.a);
    // Years; months of 2026; days of October (all after the 1st); months of 2025; days of June; that day.
    expect(repo.calls).toEqual([
      { op: 'listPrefixes', prefix: 'snapshots/' },
      { op: 'listPrefixes', prefix: 'snapshots/2026/' },
      { op: 'listPrefixes', prefix: 'snapshots/2026/10/' },
      { op: 'listPrefixes', prefix: 'snapshots/2025/' },
      { op: 'listPrefixes', prefix: 'snapshots/2025/06/' },
      { op: 'list', prefix: 'snapshots/2025/06/15/' },
    ]);
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
