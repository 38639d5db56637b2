import { describe, expect, it } from 'vitest';
import { planInputOf } from '../../cli/plans-commands.js';
import { checkSchedule, nextRun } from './schedule.js';

describe('plan schedules', () => {
  it('presets and cron, in the plan time zone', () => {
    const from = new Date('2026-12-05T10:00:00Z');
    expect(nextRun({ cron: 'daily', timeZone: 'Europe/Paris' }, from)?.toISOString()).toBe('2026-12-06T01:00:00.000Z');
    expect(nextRun({ cron: 'hourly', timeZone: 'UTC' }, from)?.toISOString()).toBe('2026-12-05T11:00:00.000Z');
    expect(nextRun({ cron: '30 4 * * 1', timeZone: 'UTC' }, from)?.toISOString()).toBe('2026-12-07T04:30:00.000Z');
  });
  it('refuses what cannot run, in words', () => {
    expect(() => checkSchedule({ cron: 'every day', timeZone: 'UTC' })).toThrow(/is not a schedule/);
    expect(() => checkSchedule({ cron: 'daily', timeZone: 'Nowhere/Else' })).toThrow(/not a time zone/);
  });
  it('the CLI flags make the contract input', () => {
    const p = planInputOf('nightly', { host: 'production', repo: 'lab-s3', volume: ['v'], mariadb: ['m'], directory: ['app:/etc/app'], schedule: 'daily', tz: 'UTC', keepDaily: '7', keepWeekly: '4', drill: '0 6 * * 0', drillHost: 'uat', notify: ['https://hooks.example/x'] });
    expect(p).toMatchObject({
      name: 'nightly',
      // In the contract's order of kinds (shared/source-flags.ts), whatever the order of the flags.
      sources: [{ kind: 'volume', volume: 'v' }, { kind: 'mariadb', container: 'm' }, { kind: 'directory', container: 'app', path: '/etc/app' }],
      schedule: { cron: 'daily', timeZone: 'UTC' },
      retention: { keepDaily: 7, keepWeekly: 4 },
      drill: { cron: '0 6 * * 0', hostId: 'uat' },
      notify: ['https://hooks.example/x'],
    });
    expect(() => planInputOf('x', { host: 'h', repo: 'r', volume: ['v'], schedule: 'daily', keepLast: '-1' })).toThrow(/whole number/);
    expect(() => planInputOf('x', { host: 'h', repo: 'r', volume: ['v'], schedule: 'daily', drill: 'daily' })).toThrow(/--drill-host/);
  });
});
