import { describe, expect, it } from 'vitest';
import { ageWords, freshness, serviceFreshness } from './staleness.js';

describe('freshness of a plan', () => {
  const hour = 3_600_000;
  const now = new Date('2026-12-05T12:00:00Z');
  it('fresh within 1.5 intervals, late up to 3, stale beyond, never without a backup', () => {
    expect(freshness('2026-12-05T11:00:00Z', hour, now)).toBe('fresh');
    expect(freshness('2026-12-05T10:00:00Z', hour, now)).toBe('late');
    expect(freshness('2026-12-05T08:00:00Z', hour, now)).toBe('stale');
    expect(freshness(null, hour, now)).toBe('never');
  });
  it('says how long ago in words', () => {
    expect(ageWords('2026-12-05T11:59:30Z', now)).toBe('30 s');
    expect(ageWords('2026-12-05T11:00:00Z', now)).toBe('60 min');
    expect(ageWords('2026-12-04T12:00:00Z', now)).toBe('24 h');
    expect(ageWords('2026-12-01T12:00:00Z', now)).toBe('4 days');
  });
});

describe('freshness per service per host', () => {
  const hour = 3_600_000;
  const now = new Date('2026-12-05T12:00:00Z');
  const plan = (over: object) => ({ name: 'p', hostId: 'prod', sources: [{ kind: 'volume', volume: 'files' }], intervalMs: 24 * hour, lastGoodBackup: null, newestVerified: null, ...over });
  it('one row per source per host, the freshest backup and the tightest interval of its plans, worst first', () => {
    const rows = serviceFreshness(
      [
        plan({ name: 'nightly', sources: [{ kind: 'volume', volume: 'files' }, { kind: 'postgres', container: 'db', database: 'shop' }], lastGoodBackup: { endedAt: '2026-12-05T02:00:00Z' }, drillIntervalMs: 7 * 24 * hour, newestVerified: '20261128T020000Z-nightly-ab12' }),
        plan({ name: 'hourly', intervalMs: hour, lastGoodBackup: { endedAt: '2026-12-05T08:30:00Z' } }),
        plan({ name: 'uat', hostId: 'uat', sources: [{ kind: 'volume', volume: 'files' }] }),
      ],
      now,
    );
    expect(rows.map((r) => [r.key, r.backup, r.verify])).toEqual([
      ['uat/volume files', 'never', null],
      // files on prod: newest good 08:30, judged by the hourly plan's interval: 3.5 h > 3 intervals.
      ['prod/volume files', 'stale', 'fresh'],
      ['prod/postgres db/shop', 'fresh', 'fresh'],
    ]);
    expect(rows[1]).toMatchObject({ plans: ['nightly', 'hourly'], lastGood: '2026-12-05T08:30:00Z', verifiedAt: '2026-11-28T02:00:00.000Z' });
  });
  it('a verified snapshot older than the drill allows turns amber, then red', () => {
    const [r] = serviceFreshness([plan({ lastGoodBackup: { endedAt: '2026-12-05T02:00:00Z' }, drillIntervalMs: 24 * hour, newestVerified: '20261203T020000Z-p-ab12' })], now);
    expect(r?.verify).toBe('late');
  });
});
