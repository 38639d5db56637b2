import { describe, expect, it } from 'vitest';
import { addSample, bytesPerSecond, etaSeconds, formatDuration, secondsBetween } from './transferRate';

describe('transfer rate and ETA', () => {
  it('measures the rate over the window, not between two bursty events', () => {
    let s = addSample([], { at: 0, bytes: 0 });
    s = addSample(s, { at: 1000, bytes: 10_000_000 });
    s = addSample(s, { at: 1010, bytes: 10_100_000 });
    expect(bytesPerSecond(s)).toBeCloseTo(10_100_000 / 1.01, -3);
  });

  it('forgets samples older than the window but keeps a baseline', () => {
    let s = addSample([], { at: 0, bytes: 0 });
    for (let t = 1000; t <= 20_000; t += 1000) s = addSample(s, { at: t, bytes: t * 1000 });
    expect(s[0]!.at).toBeGreaterThanOrEqual(14_000);
    expect(bytesPerSecond(s)).toBeCloseTo(1_000_000, -2);
  });

  it('starts afresh when the counter goes back (next source)', () => {
    let s = addSample([], { at: 0, bytes: 5000 });
    s = addSample(s, { at: 1000, bytes: 100 });
    expect(s).toEqual([{ at: 1000, bytes: 100 }]);
    expect(bytesPerSecond(s)).toBeNull();
  });

  it('gives no rate for less than half a second of data', () => {
    expect(bytesPerSecond([{ at: 0, bytes: 0 }, { at: 200, bytes: 1e9 }])).toBeNull();
  });

  it('computes the ETA only when total and rate are known', () => {
    expect(etaSeconds(25, 100, 5)).toBe(15);
    expect(etaSeconds(25, undefined, 5)).toBeNull();
    expect(etaSeconds(25, 100, null)).toBeNull();
    expect(etaSeconds(25, 100, 0)).toBeNull();
  });

  it('formats durations', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3600 + 12 * 60)).toBe('1 h 12 min');
    expect(formatDuration(null)).toBe('—');
    expect(secondsBetween('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z')).toBe(90);
  });
});
