import { describe, expect, it } from 'vitest';
import { applyRetention, type RetentionSnapshot } from './retention.js';

const at = (iso: string, extra: Partial<RetentionSnapshot> = {}): RetentionSnapshot => ({ id: iso, time: iso, ...extra });
const kept = (snaps: RetentionSnapshot[], policy: Parameters<typeof applyRetention>[1], tz?: string) =>
  applyRetention(snaps, policy, tz ? { timeZone: tz } : {})
    .filter((d) => d.keep)
    .map((d) => d.id);

describe('retention (restic forget rules)', () => {
  const nightly = Array.from({ length: 20 }, (_, i) => at(new Date(Date.UTC(2026, 10, 1 + i, 2)).toISOString()));

  it('keep-last and keep-daily keep the newest of each, newest first', () => {
    expect(kept(nightly, { keepLast: 2 })).toEqual([nightly[19]!.id, nightly[18]!.id]);
    expect(kept(nightly, { keepDaily: 3 })).toEqual([nightly[19]!.id, nightly[18]!.id, nightly[17]!.id]);
    // Two on one day: only the newer one counts for that day.
    const twice = [...nightly.slice(0, 3), at('2026-11-03T20:00:00.000Z')];
    expect(kept(twice, { keepDaily: 2 })).toEqual(['2026-11-03T20:00:00.000Z', nightly[1]!.id]);
  });

  it('a snapshot kept by several rules says so; the rest say nothing and go', () => {
    const d = applyRetention(nightly, { keepLast: 1, keepWeekly: 2, keepMonthly: 1 });
    expect(d[0]).toMatchObject({ id: nightly[19]!.id, keep: true, reasons: ['last', 'weekly', 'monthly'] });
    expect(d.filter((x) => !x.keep).every((x) => x.reasons.length === 0)).toBe(true);
  });

  it('ISO weeks: Sunday 2026-01-04 and Monday 2026-01-05 are in different weeks; 2026-12-31 is in 2026-W53', () => {
    expect(kept([at('2026-01-04T12:00:00Z'), at('2026-01-05T12:00:00Z')], { keepWeekly: 5 })).toHaveLength(2);
    expect(kept([at('2026-12-31T12:00:00Z'), at('2027-01-01T12:00:00Z'), at('2027-01-03T12:00:00Z')], { keepWeekly: 5 })).toHaveLength(1);
  });

  it('days are counted in the plan time zone', () => {
    // 23:30 UTC on the 1st is 00:30 on the 2nd in Paris: two days there, one in UTC.
    const s = [at('2026-03-01T23:30:00Z'), at('2026-03-01T22:00:00Z')];
    expect(kept(s, { keepDaily: 5 }, 'UTC')).toHaveLength(1);
    expect(kept(s, { keepDaily: 5 }, 'Europe/Paris')).toHaveLength(2);
  });

  it('the newest verified snapshot and held ones are never deleted; no rule at all keeps everything', () => {
    const snaps = nightly.map((s, i) => ({ ...s, verified: i === 4 || i === 2, held: i === 0 }));
    const d = applyRetention(snaps, { keepLast: 1 });
    expect(d.filter((x) => x.keep).map((x) => [x.id, x.reasons])).toEqual([
      [nightly[19]!.id, ['last']],
      [nightly[4]!.id, ['newest verified']],
      [nightly[0]!.id, ['held']],
    ]);
    expect(applyRetention(nightly, {}).every((x) => x.keep && x.reasons[0] === 'no policy')).toBe(true);
  });

  it('a kept level keeps the levels its chain builds on, and only those', () => {
    // Nightly levels: chain A = nights 0–6 (0 full), chain B = nights 7–13 (7 full), chain C = 14–19.
    const chainOf = (i: number) => {
      const start = i < 7 ? 0 : i < 14 ? 7 : 14;
      return nightly.slice(start, i).map((s) => s.id);
    };
    const snaps = nightly.map((s, i) => ({ ...s, needs: chainOf(i) }));
    const d = applyRetention(snaps, { keepLast: 1, keepWeekly: 2 });
    const keptIds = d.filter((x) => x.keep).map((x) => x.id);
    // The newest (night 19) needs 14–18; the weekly one of the week before needs its own chain's start.
    for (const id of chainOf(19)) expect(d.find((x) => x.id === id)).toMatchObject({ keep: true, reasons: expect.arrayContaining(['level of a kept snapshot']) });
    expect(d.find((x) => x.id === nightly[15]!.id)?.reasons).toEqual(['level of a kept snapshot']);
    const weekly = d.filter((x) => x.reasons.includes('weekly')).map((x) => x.id);
    for (const w of weekly) for (const id of chainOf(nightly.findIndex((s) => s.id === w))) expect(keptIds).toContain(id);
    // Everything else goes: no chain is kept whole for nothing.
    const needed = new Set(snaps.filter((s) => keptIds.includes(s.id)).flatMap((s) => s.needs));
    for (const x of d) expect(x.keep).toBe(x.reasons.some((r) => r !== 'level of a kept snapshot') || needed.has(x.id));
    expect(d.some((x) => !x.keep)).toBe(true);
  });
});
