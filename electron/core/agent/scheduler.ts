/**
 * When the agent runs a plan — pure decisions over the plan, its remembered state and the clock, so
 * they are tested without waiting for minutes to pass:
 *  - on schedule: the next cron time after the last one handled has come;
 *  - a missed run (the host or the agent was down at that time) runs once when the agent is back,
 *    if it is at most `catchUpHours` late; several missed times collapse into that one run; older
 *    ones are skipped (and said so);
 *  - a failed run is tried again after 1, 5, 15, 30, 60… minutes, `retries` times, then reported;
 *  - never two runs of one plan at once (the caller holds a per-plan lock; see plan-lock.ts).
 */
import type { Plan } from '../../../shared/contract/plans.js';
import { nextRun } from '../plans/schedule.js';

export type Trigger = 'schedule' | 'catch-up' | 'retry' | 'manual';

/** What the agent remembers of a plan between ticks and restarts (agent-state.json). */
export interface PlanMemory {
  /** The newest cron time already handled (run, or skipped as too late). */
  handledUntil: string;
  /** A failed run's next try. */
  retry?: { attempt: number; at: string };
}

export type Decision =
  | { run: true; trigger: Trigger; attempt: number; memory: PlanMemory }
  | { run: false; memory: PlanMemory; skipped?: { dueAt: string; lateMs: number } };

const MINUTE = 60_000;
/** Delay before retry n (1-based). */
export function retryDelayMs(attempt: number): number {
  const steps = [1, 5, 15, 30, 60];
  return (steps[attempt - 1] ?? 60) * MINUTE;
}
/** Late by less than this = simply on time (a tick every few seconds). */
const ON_TIME_MS = 2 * MINUTE;

export function decide(plan: Plan, memory: PlanMemory | undefined, now: Date): Decision {
  // A plan the agent has not seen before starts counting now: installing an agent does not replay
  // the schedule since the plan was created.
  const mem: PlanMemory = memory ?? { handledUntil: now.toISOString() };
  if (plan.paused) return { run: false, memory: { handledUntil: now.toISOString() } };
  // Times older than the catch-up window are skipped without a look at each (an agent down for a
  // year under a one-minute schedule must not walk half a million of them).
  const windowStart = new Date(now.getTime() - plan.catchUpHours * 3_600_000);
  let from = new Date(mem.handledUntil);
  let skipped: { dueAt: string; lateMs: number } | undefined;
  if (from < windowStart) {
    const first = nextRun(plan.schedule, from);
    if (first && first < windowStart) skipped = { dueAt: first.toISOString(), lateMs: now.getTime() - first.getTime() };
    from = windowStart;
  }
  // The newest due time at or before now (older ones in the window collapse into it).
  let due: Date | null = null;
  for (let t = nextRun(plan.schedule, from); t && t <= now; t = nextRun(plan.schedule, t)) due = t;
  if (due) {
    const lateMs = now.getTime() - due.getTime();
    // A new scheduled time supersedes a pending retry.
    return { run: true, trigger: lateMs <= ON_TIME_MS ? 'schedule' : 'catch-up', attempt: 1, memory: { handledUntil: due.toISOString() } };
  }
  if (skipped) return { run: false, memory: { handledUntil: now.toISOString() }, skipped };
  if (mem.retry && new Date(mem.retry.at) <= now) {
    return { run: true, trigger: 'retry', attempt: mem.retry.attempt, memory: { handledUntil: mem.handledUntil } };
  }
  return { run: false, memory: mem };
}

/** After a run: the retry to schedule, if any. */
export function afterRun(plan: Plan, memory: PlanMemory, attempt: number, ok: boolean, now: Date): PlanMemory {
  const { retry: _old, ...rest } = memory;
  if (ok || attempt > plan.retries) return rest;
  return { ...rest, retry: { attempt: attempt + 1, at: new Date(now.getTime() + retryDelayMs(attempt)).toISOString() } };
}

/** The next time this plan will run: a pending retry or the next cron time. */
export function nextPlanned(plan: Plan, memory: PlanMemory | undefined, now: Date): Date | null {
  if (plan.paused) return null;
  const cron = nextRun(plan.schedule, new Date(Math.max(now.getTime(), new Date(memory?.handledUntil ?? now).getTime())));
  const retry = memory?.retry ? new Date(memory.retry.at) : null;
  if (retry && (!cron || retry < cron)) return retry;
  return cron;
}
