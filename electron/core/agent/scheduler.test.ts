import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../shared/contract/plans.js';
import { afterRun, decide, nextPlanned, retryDelayMs } from './scheduler.js';

const plan = (over: Partial<Plan> = {}): Plan => ({
  id: 'p1',
  name: 'nightly',
  hostId: 'h',
  repositoryId: 'r',
  sources: [{ kind: 'volume', volume: 'v' }] as Plan['sources'],
  schedule: { cron: '0 2 * * *', timeZone: 'UTC' },
  retention: {},
  notify: [],
  catchUpHours: 24,
  retries: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  paused: false,
  ...over,
});
const at = (iso: string) => new Date(iso);

describe('agent scheduler', () => {
  it('starts counting when it first sees a plan: nothing is replayed', () => {
    const d = decide(plan(), undefined, at('2026-03-01T12:00:00Z'));
    expect(d.run).toBe(false);
    expect(d.memory.handledUntil).toBe('2026-03-01T12:00:00.000Z');
  });

  it('runs at the cron time, once', () => {
    const mem = { handledUntil: '2026-03-01T12:00:00.000Z' };
    expect(decide(plan(), mem, at('2026-03-02T01:59:59Z')).run).toBe(false);
    const d = decide(plan(), mem, at('2026-03-02T02:00:03Z'));
    expect(d).toMatchObject({ run: true, trigger: 'schedule', attempt: 1, memory: { handledUntil: '2026-03-02T02:00:00.000Z' } });
    expect(decide(plan(), d.memory, at('2026-03-02T02:00:08Z')).run).toBe(false);
  });

  it('runs missed times once when back within the window, skips older ones', () => {
    const mem = { handledUntil: '2026-03-01T12:00:00.000Z' };
    // Down for three nights; back on the 4th at 09:00: the 02:00 run of the 4th is 7 h late.
    const d = decide(plan(), mem, at('2026-03-04T09:00:00Z'));
    expect(d).toMatchObject({ run: true, trigger: 'catch-up', memory: { handledUntil: '2026-03-04T02:00:00.000Z' } });
    expect(decide(plan(), d.memory, at('2026-03-04T09:00:05Z')).run).toBe(false);
    // A window of 2 h: 7 h late is skipped, and said so.
    const s = decide(plan({ catchUpHours: 2 }), mem, at('2026-03-04T09:00:00Z'));
    expect(s.run).toBe(false);
    expect(s).toMatchObject({ skipped: { dueAt: '2026-03-02T02:00:00.000Z' } });
  });

  it('does not walk a year of one-minute times', () => {
    const started = Date.now();
    const d = decide(plan({ schedule: { cron: '* * * * *', timeZone: 'UTC' }, catchUpHours: 1 }), { handledUntil: '2025-03-01T00:00:00.000Z' }, at('2026-03-01T00:00:30Z'));
    expect(d).toMatchObject({ run: true, trigger: 'schedule', memory: { handledUntil: '2026-03-01T00:00:00.000Z' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('retries with backoff, then gives up', () => {
    const p = plan({ retries: 2 });
    let mem = afterRun(p, { handledUntil: '2026-03-02T02:00:00.000Z' }, 1, false, at('2026-03-02T02:01:00Z'));
    expect(mem.retry).toEqual({ attempt: 2, at: '2026-03-02T02:02:00.000Z' });
    expect(decide(p, mem, at('2026-03-02T02:01:30Z')).run).toBe(false);
    expect(nextPlanned(p, mem, at('2026-03-02T02:01:30Z'))?.toISOString()).toBe('2026-03-02T02:02:00.000Z');
    const d = decide(p, mem, at('2026-03-02T02:02:01Z'));
    expect(d).toMatchObject({ run: true, trigger: 'retry', attempt: 2 });
    mem = afterRun(p, d.memory, 2, false, at('2026-03-02T02:03:00Z'));
    expect(mem.retry).toEqual({ attempt: 3, at: new Date(Date.parse('2026-03-02T02:03:00Z') + retryDelayMs(2)).toISOString() });
    expect(afterRun(p, mem, 3, false, at('2026-03-02T02:20:00Z')).retry).toBeUndefined();
    expect(afterRun(p, mem, 2, true, at('2026-03-02T02:20:00Z')).retry).toBeUndefined();
  });

  it('a paused plan never runs and has no next run', () => {
    const p = plan({ paused: true });
    expect(decide(p, { handledUntil: '2026-03-01T00:00:00.000Z' }, at('2026-03-05T00:00:00Z')).run).toBe(false);
    expect(nextPlanned(p, undefined, at('2026-03-05T00:00:00Z'))).toBeNull();
  });
});
