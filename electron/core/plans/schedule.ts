/**
 * Plan schedules: five-field cron read in an explicit IANA time zone (croner), with two presets
 * people ask for by name — "hourly" (minute 0) and "daily" (02:00).
 */
import { Cron } from 'croner';
import { RpcError } from '../../../shared/contract/errors.js';

const PRESETS: Record<string, string> = { hourly: '0 * * * *', daily: '0 2 * * *' };

export function cronOf(expr: string): string {
  return PRESETS[expr.trim().toLowerCase()] ?? expr.trim();
}

/** Throws INVALID_INPUT, in words, for a cron or a zone that cannot work. */
export function checkSchedule(s: { cron: string; timeZone: string }): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s.timeZone });
  } catch {
    throw new RpcError('INVALID_INPUT', `"${s.timeZone}" is not a time zone (use an IANA name such as Europe/Paris or UTC).`);
  }
  try {
    new Cron(cronOf(s.cron), { timezone: s.timeZone, paused: true });
  } catch (e) {
    throw new RpcError('INVALID_INPUT', `"${s.cron}" is not a schedule: ${(e as Error).message}. Use five cron fields ("0 2 * * *"), "hourly" or "daily".`);
  }
}

/** The next run after `from`, or null when the expression never fires again. */
export function nextRun(s: { cron: string; timeZone: string }, from = new Date()): Date | null {
  return new Cron(cronOf(s.cron), { timezone: s.timeZone, paused: true }).nextRun(from);
}

/** The gap between the next two runs: what "on time" means for this plan. */
export function intervalMs(s: { cron: string; timeZone: string }, from = new Date()): number {
  const c = new Cron(cronOf(s.cron), { timezone: s.timeZone, paused: true });
  const [a, b] = c.nextRuns(2, from);
  return a && b ? b.getTime() - a.getTime() : 24 * 3_600_000;
}
