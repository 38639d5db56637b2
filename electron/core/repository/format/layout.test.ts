import { describe, expect, it } from 'vitest';
import { dataKey, dayPrefix, dayPrefixesForRange, idFromManifestKey, indexKey, manifestKey, prefixesForRange } from './layout.js';

const at = (iso: string) => new Date(iso);
const ID = '20261121T221530Z-shop-1a2b';

describe('repository layout keys', () => {
  it('files a manifest under the UTC day of its id', () => {
    expect(manifestKey(ID)).toBe('snapshots/2026/11/21/20261121T221530Z-shop-1a2b.json');
    expect(manifestKey('20270101T000000Z-x-0000')).toBe('snapshots/2027/01/01/20270101T000000Z-x-0000.json');
    expect(dayPrefix(at('2026-11-22T01:30:00+02:00'))).toBe('snapshots/2026/11/21/');
  });

  it('reads the id back from a manifest key, and only from a well-placed one', () => {
    expect(idFromManifestKey(manifestKey(ID))).toBe(ID);
    expect(idFromManifestKey('snapshots/2026/11/22/20261121T221530Z-shop-1a2b.json')).toBeNull(); // wrong day
    expect(idFromManifestKey('snapshots/2026/11/21/notes.json')).toBeNull();
    expect(idFromManifestKey('snapshots/2026/11/21/20261121T221530Z-shop-1a2b.json.tmp')).toBeNull();
    expect(idFromManifestKey('data/20261121T221530Z-shop-1a2b/db.sql.zst')).toBeNull();
  });

  it('builds data and index keys, refusing unsafe parts', () => {
    expect(dataKey(ID, 'db', 'sql.zst')).toBe('data/20261121T221530Z-shop-1a2b/db.sql.zst');
    expect(dataKey(ID, 'shop_files', 'tar.zst.age')).toBe('data/20261121T221530Z-shop-1a2b/shop_files.tar.zst.age');
    expect(indexKey(ID, 'shop_files')).toBe('index/20261121T221530Z-shop-1a2b/shop_files.files.jsonl.zst');
    expect(() => dataKey(ID, '../x', 'tar')).toThrow();
    expect(() => dataKey(ID, 'db', '.tar')).toThrow();
    expect(() => dataKey('nope', 'db', 'tar')).toThrow();
  });
});

describe('prefixesForRange', () => {
  it('lists one day prefix for a range inside a day', () => {
    expect(prefixesForRange(at('2026-11-21T08:00:00Z'), at('2026-11-21T18:00:00Z'))).toEqual(['snapshots/2026/11/21/']);
  });

  it('uses UTC days, whatever zone the bounds were written in', () => {
    // 23:30 to 01:30 in UTC+2 is 21:30 to 23:30 UTC: a single UTC day.
    expect(prefixesForRange(at('2026-11-21T23:30:00+02:00'), at('2026-11-22T01:30:00+02:00'))).toEqual(['snapshots/2026/11/21/']);
    // 18:00 to 20:00 in UTC-5 is 23:00 to 01:00 UTC: it crosses UTC midnight.
    expect(prefixesForRange(at('2026-11-21T18:00:00-05:00'), at('2026-11-21T20:00:00-05:00'))).toEqual([
      'snapshots/2026/11/21/',
      'snapshots/2026/11/22/',
    ]);
  });

  it('crosses a month boundary day by day when no month is covered entirely', () => {
    expect(prefixesForRange(at('2026-01-30T12:00:00Z'), at('2026-02-02T00:00:00Z'))).toEqual([
      'snapshots/2026/01/30/',
      'snapshots/2026/01/31/',
      'snapshots/2026/02/01/',
      'snapshots/2026/02/02/',
    ]);
  });

  it('crosses a year boundary', () => {
    expect(prefixesForRange(at('2026-12-31T22:00:00Z'), at('2027-01-01T02:00:00Z'))).toEqual(['snapshots/2026/12/31/', 'snapshots/2027/01/01/']);
  });

  it('knows leap days', () => {
    expect(prefixesForRange(at('2028-02-28T00:00:00Z'), at('2028-03-01T00:00:00Z'))).toEqual([
      'snapshots/2028/02/28/',
      'snapshots/2028/02/29/',
      'snapshots/2028/03/01/',
    ]);
    expect(prefixesForRange(at('2026-02-28T00:00:00Z'), at('2026-03-01T00:00:00Z'))).toEqual(['snapshots/2026/02/28/', 'snapshots/2026/03/01/']);
  });

  it('lists a month covered entirely with its month prefix', () => {
    expect(prefixesForRange(at('2026-10-30T00:00:00Z'), at('2026-12-02T00:00:00Z'))).toEqual([
      'snapshots/2026/10/30/',
      'snapshots/2026/10/31/',
      'snapshots/2026/11/',
      'snapshots/2026/12/01/',
      'snapshots/2026/12/02/',
    ]);
    // The whole month, to its last second.
    expect(prefixesForRange(at('2026-02-01T00:00:00Z'), at('2026-02-28T23:59:59Z'))).toEqual(['snapshots/2026/02/']);
  });

  it('lists a year covered entirely with its year prefix', () => {
    expect(prefixesForRange(at('2025-12-31T00:00:00Z'), at('2027-02-01T00:00:00Z'))).toEqual([
      'snapshots/2025/12/31/',
      'snapshots/2026/',
      'snapshots/2027/01/',
      'snapshots/2027/02/01/',
    ]);
  });

  it('covers every day of the range once; beyond it, only the rest of a month it touches on 4 days or more', () => {
    const from = at('2025-11-17T05:00:00Z');
    const to = at('2027-03-03T05:00:00Z');
    const covered = new Set(dayPrefixesForRange(from, to));
    const listed = prefixesForRange(from, to);
    // Every day of the range lies under exactly one listed prefix…
    for (const day of covered) expect(listed.filter((p) => day.startsWith(p))).toHaveLength(1);
    // …the first month (touched on 14 days) is listed whole, the last (3 days) day by day…
    expect(listed[0]).toBe('snapshots/2025/11/');
    expect(listed.slice(-3)).toEqual(['snapshots/2027/03/01/', 'snapshots/2027/03/02/', 'snapshots/2027/03/03/']);
    // …and a listed prefix holds days outside the range only as the rest of such a month.
    const allDays = dayPrefixesForRange(at('2025-01-01T00:00:00Z'), at('2027-12-31T00:00:00Z'));
    for (const p of listed) for (const day of allDays.filter((d) => d.startsWith(p))) if (!covered.has(day)) expect(p, day).toBe('snapshots/2025/11/');
    expect(listed).toHaveLength(1 + 1 + 1 + 2 + 3); // Nov and Dec 2025, 2026, Jan and Feb 2027, three days of March
  });

  it('is empty for an inverted range and refuses invalid dates', () => {
    expect(prefixesForRange(at('2026-11-22T00:00:00Z'), at('2026-11-21T00:00:00Z'))).toEqual([]);
    expect(() => prefixesForRange(new Date(NaN), new Date())).toThrow();
  });
});
