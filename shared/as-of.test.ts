import { describe, expect, it } from 'vitest';
import { parseAsOf, zoneOffsetMinutes } from './as-of.js';

// Saturday 21 November 2026, 22:30 UTC (23:30 in Paris).
const now = new Date('2026-11-21T22:30:00Z');
const iso = (text: string, timeZone = 'UTC') => parseAsOf(text, { now, timeZone }).at.toISOString();

describe('parseAsOf', () => {
  it('reads ISO dates: with an offset as that instant, without one as wall-clock time in the zone', () => {
    expect(iso('2026-11-20T18:00:00Z')).toBe('2026-11-20T18:00:00.000Z');
    expect(iso('2026-11-20T18:00:00+02:00')).toBe('2026-11-20T16:00:00.000Z');
    expect(iso('2026-11-20 18:00', 'Europe/Paris')).toBe('2026-11-20T17:00:00.000Z');
    // A day alone means its end.
    expect(iso('2026-11-20')).toBe('2026-11-20T23:59:59.999Z');
    expect(iso('2026-11-20', 'Europe/Paris')).toBe('2026-11-20T22:59:59.999Z');
  });

  it('reads natural language against the injected now', () => {
    expect(iso('1 hour ago')).toBe('2026-11-21T21:30:00.000Z');
    expect(iso('yesterday 18:00')).toBe('2026-11-20T18:00:00.000Z');
    expect(iso('yesterday 18:00', 'Europe/Paris')).toBe('2026-11-20T17:00:00.000Z');
    expect(iso('last friday 18:00')).toBe('2026-11-20T18:00:00.000Z');
    expect(iso('last friday', 'Europe/Paris')).toBe('2026-11-20T22:59:59.999Z');
    expect(iso('as of yesterday')).toBe('2026-11-20T23:59:59.999Z');
    expect(iso('3 days ago')).toBe('2026-11-18T22:30:00.000Z');
  });

  it('never goes past now', () => {
    expect(iso('today')).toBe(now.toISOString());
    expect(iso('2030-01-01T00:00:00Z')).toBe(now.toISOString());
  });

  it('uses the offset in force at the date meant (DST)', () => {
    expect(zoneOffsetMinutes('Europe/Paris', new Date('2026-07-01T00:00:00Z'))).toBe(120);
    expect(zoneOffsetMinutes('Europe/Paris', now)).toBe(60);
    // 1 July 18:00 in Paris is 16:00 UTC (summer time), although "now" is in winter time.
    expect(iso('2026-07-01 18:00', 'Europe/Paris')).toBe('2026-07-01T16:00:00.000Z');
  });

  it('refuses garbage, half-dates and unknown zones with a clear INVALID_INPUT', () => {
    for (const text of ['garbage', '', '   ', 'friday-ish please', 'yesterday or so']) {
      expect(() => parseAsOf(text, { now, timeZone: 'UTC' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('not a date') }));
    }
    expect(() => parseAsOf('yesterday', { now, timeZone: 'Mars/Olympus' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('time zone') }));
  });

  it('says how it read the text', () => {
    expect(parseAsOf('last friday', { now, timeZone: 'UTC' }).interpretation).toBe('last friday → 2026-11-20T23:59:59.999Z (UTC, end of that day)');
  });
});
