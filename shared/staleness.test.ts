import { describe, expect, it } from 'vitest';
import { ageWords, freshness } from './staleness.js';

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
