/**
 * Backup plans (ARCHITECTURE §8): a backup set — host, sources, repository — plus a schedule (cron
 * with an explicit time zone), retention (restic's forget rules, shared/retention.ts), an optional
 * restore drill and notifications. Saved in the console (`plans.json`); the host's agent runs them.
 * `prune` applies a plan's retention to that plan's snapshots only (its set, its host), never to
 * another set's or host's in a shared repository; with `dryRun` it only says what it would do.
 */
import { z } from 'zod';
import { Empty, invoke, task } from './define.js';
import { parseNotifyTarget } from '../notify-targets.js';
import { SourceSpec } from './snapshots.js';

const id = z.string().min(1).max(128);
const count = z.number().int().min(0).max(100_000).optional();

export const RetentionPolicy = z.object({ keepLast: count, keepHourly: count, keepDaily: count, keepWeekly: count, keepMonthly: count, keepYearly: count });

export const PlanSchedule = z.object({
  /** Five-field cron ("0 2 * * *"), or a preset: "hourly", "daily" (02:00). */
  cron: z.string().min(1).max(200),
  /** IANA zone the cron is read in ("Europe/Paris"); explicit, never the machine's. */
  timeZone: z.string().min(1).max(64),
});

export const PlanInput = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-"'),
  hostId: id,
  repositoryId: id,
  sources: z.array(SourceSpec).min(1).max(100),
  schedule: PlanSchedule,
  retention: RetentionPolicy.default({}),
  /** Verify the newest snapshot on this host, on this schedule. */
  drill: z.object({ cron: z.string().min(1).max(200), hostId: id }).optional(),
  /** Webhook / Slack / ping URLs told of each run (shared/notify-targets.ts says which is which). */
  notify: z
    .array(
      z
        .string()
        .min(1)
        .max(2048)
        .superRefine((entry, ctx) => {
          const t = parseNotifyTarget(entry);
          if (typeof t === 'string') ctx.addIssue({ code: 'custom', message: t });
        }),
    )
    .max(10)
    .default([]),
  /** A run missed while the host was down runs once when it comes back, if at most this late. */
  catchUpHours: z.number().min(0).max(24 * 31).default(24),
  /** A failed run is tried again this many times (after 1, 5, 15, 30… minutes), then reported. */
  retries: z.number().int().min(0).max(10).default(3),
});
export type PlanInput = z.input<typeof PlanInput>;

export const Plan = PlanInput.extend({ id: z.string(), createdAt: z.string(), paused: z.boolean() });
export type Plan = z.infer<typeof Plan>;

/**
 * The record every run of a plan leaves in its repository — `runs/<plan>/<time>-<kind>-<hex>.json`
 * — so any console sees what ran, when and how it ended, failed runs (no snapshot) included.
 */
export const PlanRun = z.object({
  version: z.literal(1),
  plan: z.string(),
  kind: z.enum(['backup', 'prune', 'drill']),
  hostId: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  result: z.enum(['succeeded', 'failed']),
  snapshotId: z.string().optional(),
  /** prune: the snapshots it deleted. */
  deleted: z.array(z.string()).optional(),
  error: z.string().optional(),
  /** Who ran it ("console@laptop", "agent@production"). */
  runner: z.string(),
  /** 1 for the scheduled run, 2… for its retries. */
  attempt: z.number().int().min(1).optional(),
  /** Why it ran: on schedule, a missed run caught up, a retry, or by hand. */
  trigger: z.enum(['schedule', 'catch-up', 'retry', 'manual']).optional(),
});
export type PlanRun = z.infer<typeof PlanRun>;

export const PlanView = Plan.extend({
  /** The next scheduled run (ISO), none when paused. */
  nextRun: z.string().nullable(),
  /** The newest run record in the repository (null: never ran, or the repository cannot be read). */
  lastRun: PlanRun.nullable(),
  /** The newest backup run that succeeded. */
  lastGoodBackup: PlanRun.nullable(),
  /** Milliseconds between two scheduled runs (for the staleness view). */
  intervalMs: z.number(),
  /** Milliseconds between two restore drills; null without a drill. */
  drillIntervalMs: z.number().nullable(),
  /** The newest snapshot of the plan whose latest verify passed. */
  newestVerified: z.string().nullable(),
});
export type PlanView = z.infer<typeof PlanView>;

export const PruneDecision = z.object({
  snapshotId: z.string(),
  time: z.string(),
  keep: z.boolean(),
  /** The rules that keep it ("daily", "newest verified", …); empty for "delete". */
  reasons: z.array(z.string()),
});

export const PruneResult = z.object({
  planId: z.string(),
  dryRun: z.boolean(),
  decisions: z.array(PruneDecision),
  /** Snapshots deleted (none on a dry run). */
  deleted: z.array(z.string()),
});
export type PruneResult = z.infer<typeof PruneResult>;

const PlanRef = z.object({ id });

export const plansContract = {
  list: invoke(Empty, z.array(PlanView)),
  get: invoke(PlanRef, PlanView),
  add: invoke(PlanInput, PlanView),
  remove: invoke(PlanRef, z.object({ removed: z.boolean() })),
  pause: invoke(PlanRef, PlanView),
  resume: invoke(PlanRef, PlanView),
  /** Runs the plan now (from the console, through the relay): back up, then apply its retention; both recorded in the repository. */
  run: task(PlanRef, z.object({ snapshotId: z.string(), deleted: z.array(z.string()) })),
  /** Retention of the plan's own snapshots: every one with the rule that keeps it, or delete. */
  prune: invoke(PlanRef.extend({ dryRun: z.boolean().default(true) }), PruneResult),
} as const;
