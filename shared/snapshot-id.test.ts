import { describe, expect, it } from 'vitest';
import { compareSnapshotIds, formatIdTime, isSnapshotId, makeSnapshotId, parseSnapshotId } from './snapshot-id.js';

const at = (iso: string) => new Date(iso);

describe('snapshot ids', () => {
  it('encode the UTC start time, the set and 4 hex digits', () => {
    const id = makeSnapshotId('shop', { now: at('2026-11-21T22:15:30.999Z'), random: () => 0.5 });
    expect(id).toBe('20261121T221530Z-shop-8000');
    // A clock in another zone names the same instant: ids are always UTC.
    expect(makeSnapshotId('shop', { now: at('2026-11-22T00:15:30+02:00'), random: () => 0 })).toBe('20261121T221530Z-shop-0000');
    expect(makeSnapshotId('shop', { now: at('2026-01-02T03:04:05Z'), random: () => 0.99999999 })).toBe('20260102T030405Z-shop-ffff');
  });

  it('round-trip through parse, including set names with dashes', () => {
    const id = makeSnapshotId('shop-db.prod_2', { now: at('2024-02-29T23:59:59Z'), random: () => 0.25 });
    expect(parseSnapshotId(id)).toEqual({ time: at('2024-02-29T23:59:59Z'), set: 'shop-db.prod_2', suffix: '4000' });
    expect(isSnapshotId(id)).toBe(true);
  });

  it('refuse malformed ids and impossible dates', () => {
    for (const bad of [
      '',
      '20261121T221530Z-shop',
      '20261121T221530-shop-abcd',
      '20261121T221530Z-shop-ABCD',
      '20261121T221530Z--abcd',
      '20261121T221530Z-sh/op-abcd',
      '20260230T000000Z-shop-abcd', // 30 February
      '20261121T246000Z-shop-abcd',
      '20261121T221530Z-shop-abcd.json',
    ]) {
      expect(parseSnapshotId(bad), bad).toBeNull();
    }
  });

  it('refuse set names that would not be safe in a key', () => {
    for (const bad of ['', '-x', 'a/b', 'a b', 'é', 'x'.repeat(65)]) {
      expect(() => makeSnapshotId(bad, { now: new Date() }), bad).toThrow(/cannot name a backup set/);
    }
  });

  it('sort by time as plain strings, across sets, days, months and years', () => {
    const times = ['2027-01-01T00:00:00Z', '2026-12-31T23:59:59Z', '2026-11-21T22:15:30Z', '2026-11-21T22:15:31Z', '2026-02-01T00:00:00Z', '2025-12-31T00:00:00Z'];
    const sets = ['zeta', 'alpha', 'm-1'];
    const ids = times.flatMap((t, i) => makeSnapshotId(sets[i % 3]!, { now: at(t) }));
    const sorted = [...ids].sort(compareSnapshotIds);
    const byTime = [...ids].sort((a, b) => parseSnapshotId(a)!.time.getTime() - parseSnapshotId(b)!.time.getTime());
    expect(sorted).toEqual(byTime);
    expect([...ids].sort()).toEqual(sorted);
  });

  it('formatIdTime is fixed-width and refuses what cannot be an id', () => {
    expect(formatIdTime(at('1000-01-01T00:00:00Z'))).toBe('10000101T000000Z');
    expect(() => formatIdTime(new Date(NaN))).toThrow();
    expect(() => formatIdTime(at('+010000-01-01T00:00:00Z'))).toThrow();
  });
});
