import { describe, expect, it } from 'vitest';
import type { SnapshotSummary } from '../../shared/contract/index.js';
import { axisTicks, colourBySet, dayKey, groupByDay, listRows, lowerBound, NO_FILTERS, passes, summaryBatches, zoomWindow, MIN_SPAN, type TimelineRef } from './timelineModel';

const ref = (set: string, iso: string, repositoryId = 'r1'): TimelineRef => ({ id: `${iso}-${set}`, set, time: iso, manifestKey: 'k', repositoryId, t: Date.parse(iso) });
const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).toISOString();

describe('timeline model', () => {
  it('groups by local day, newest day and newest snapshot first', () => {
    const refs = [ref('a', at(2026, 11, 20, 9)), ref('b', at(2026, 11, 21, 8)), ref('a', at(2026, 11, 20, 18))];
    const days = groupByDay(refs);
    expect(days.map((d) => d.key)).toEqual([dayKey(refs[1]!.t), dayKey(refs[0]!.t)]);
    expect(days[1]!.refs.map((r) => r.set)).toEqual(['a', 'a']);
    expect(days[1]!.refs[0]!.t).toBeGreaterThan(days[1]!.refs[1]!.t);
  });

  it('colours sets by name, stable whatever the order they appear in', () => {
    expect(colourBySet(['b', 'a']).get('a')).toBe(colourBySet(['a', 'c', 'b']).get('a'));
    expect(colourBySet(['a', 'b']).get('a')).not.toBe(colourBySet(['a', 'b']).get('b'));
  });

  it('filters by set from the ref, by host/kind/tag only once the summary is known', () => {
    const r = ref('shop', at(2026, 11, 20));
    const summary = { hostName: 'production', tags: ['nightly'], sources: [{ name: 'db', kind: 'postgres', rawBytes: 1, storedBytes: 1 }] } as unknown as SnapshotSummary;
    expect(passes(r, undefined, { ...NO_FILTERS, sets: ['other'] })).toBe(false);
    expect(passes(r, undefined, { ...NO_FILTERS, hosts: ['uat'] })).toBe(true);
    expect(passes(r, summary, { ...NO_FILTERS, hosts: ['uat'] })).toBe(false);
    expect(passes(r, summary, { ...NO_FILTERS, kinds: ['postgres'], tags: ['nightly'] })).toBe(true);
    expect(passes(r, summary, { ...NO_FILTERS, kinds: ['volume'] })).toBe(false);
    const rows = listRows(groupByDay([r]), () => summary, { ...NO_FILTERS, kinds: ['volume'] });
    expect(rows).toEqual([]);
  });

  it('zooms around the anchor and clamps the span', () => {
    const w = { start: 0, end: 10 * 3600_000 };
    const z = zoomWindow(w, 0.5, 0.2);
    expect(z.end - z.start).toBe(5 * 3600_000);
    expect(z.start + (z.end - z.start) * 0.2).toBeCloseTo(2 * 3600_000);
    expect(zoomWindow(w, 0.0001).end - zoomWindow(w, 0.0001).start).toBe(MIN_SPAN);
  });

  it('draws ticks for hours to a year, never more than asked', () => {
    const now = Date.parse(at(2026, 11, 20));
    for (const span of [6 * 3600_000, 86400_000, 7 * 86400_000, 92 * 86400_000, 366 * 86400_000]) {
      const ticks = axisTicks({ start: now - span, end: now }, 8);
      expect(ticks.length).toBeGreaterThan(0);
      expect(ticks.length).toBeLessThanOrEqual(9);
    }
  });

  it('finds the first ref at or after a time', () => {
    const refs = [{ t: 1 }, { t: 3 }, { t: 3 }, { t: 7 }];
    expect(lowerBound(refs, 3)).toBe(1);
    expect(lowerBound(refs, 8)).toBe(4);
  });

  it('batches unloaded days into calls of about N snapshots', () => {
    const days = groupByDay(Array.from({ length: 10 }, (_, i) => ref('a', at(2026, 11, 1 + i))));
    const batches = summaryBatches(days, (k) => k === days[4]!.key, 3);
    expect(batches.map((b) => b.length)).toEqual([3, 1, 3, 2]);
  });
});
