/**
 * Operations (ARCHITECTURE §6): every backup, restore and verify the backend ran, from its journal in
 * <config dir>/operations/ — so the list, each one's steps and log survive an app restart. A running
 * operation also carries the id of its task: follow it live with `onTaskEvents`, catch up with
 * `tasks.get`. An unfinished journal found at start is `interrupted` and offered for rollback.
 */
import { z } from 'zod';
import { Empty, event, invoke, task } from './define.js';
import { OperationKind, OperationState, SourceCheck } from './restore.js';
import { TaskEvent } from './tasks.js';

const id = z.string().min(1).max(128);

/** The last progress an operation reported: the task's progress event (also in the live task events). */
export const OperationProgress = TaskEvent.options[0].omit({ type: true });
export type OperationProgress = z.infer<typeof OperationProgress>;

export const OperationSummary = z.object({
  id: z.string(),
  kind: OperationKind,
  state: OperationState,
  /** In plain words: "Restore shop-2026… onto uat", "Back up shop (production)". */
  title: z.string(),
  /** A backup's snapshot id is known from its start (it is written last). */
  snapshotId: z.string(),
  repositoryId: z.string(),
  /** The host acted on: a backup's source host, a restore's or verify's target host. */
  targetHostId: z.string(),
  targetHostName: z.string(),
  /** Volumes/containers written (restore, verify) or sources read (backup). */
  targets: z.array(z.string()),
  /** The step the journal last recorded. */
  step: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  error: z.string().optional(),
  /** For an interrupted operation: what operations.rollback will do. */
  recovery: z.string().optional(),
  /** Set while it runs in this backend: its task (events, cancel). */
  taskId: z.string().optional(),
  progress: OperationProgress.optional(),
  /** A point-in-time recovery (its snapshotId is then "pitr:<cluster>@<time>", no snapshot of the repository). */
  pointInTime: z.object({ cluster: z.string(), at: z.string() }).optional(),
});
export type OperationSummary = z.infer<typeof OperationSummary>;

/** One step of an operation as the run screen and the operations view show it. */
export const OperationStepView = z.object({
  kind: z.string(),
  source: z.string().optional(),
  description: z.string(),
  state: z.enum(['pending', 'running', 'done', 'failed', 'skipped', 'rolled-back']),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});
export type OperationStepView = z.infer<typeof OperationStepView>;

export const OperationDetail = OperationSummary.extend({
  steps: z.array(OperationStepView),
  /** Restores and verifies: the checks against the manifest. */
  verification: z.array(SourceCheck),
  /** Containers started again at the end. */
  restarted: z.array(z.string()),
  /** What a rollback put back, in words. */
  rolledBack: z.array(z.string()),
  /** The task's result (RestoreResult, VerifyResult, BackupResult) once it succeeded. */
  result: z.unknown().optional(),
  /** The raw journal, for the curious (shown behind "Details"). */
  journal: z.unknown(),
});
export type OperationDetail = z.infer<typeof OperationDetail>;

export const OperationLogLine = z.object({
  seq: z.number().int().nonnegative(),
  ts: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
});
export type OperationLogLine = z.infer<typeof OperationLogLine>;

export const AuditRecord = z.object({
  operationId: z.string(),
  kind: OperationKind.or(z.literal('rollback')),
  user: z.string(),
  snapshotId: z.string(),
  repositoryId: z.string(),
  from: z.string(),
  to: z.string(),
  result: z.string(),
  error: z.string().optional(),
  /** The user's note (e.g. why the safety copy was off). */
  note: z.string().optional(),
  /** The user accepted a snapshot no trusted writer signed: what was wrong with it ("unsigned: …"). */
  accepted: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const operationsContract = {
  /** Journals, newest first; unfinished ones found at start are 'interrupted'. */
  list: invoke(Empty, z.array(OperationSummary)),
  get: invoke(z.object({ id }), OperationDetail),
  /** The operation's own log (kept on disk next to its journal), lines after `afterSeq`. */
  logs: invoke(
    z.object({ id, afterSeq: z.number().int().min(-1).default(-1), limit: z.number().int().min(1).max(20_000).default(5_000) }),
    z.array(OperationLogLine),
  ),
  /** Rolls an interrupted operation back from its safety copy and restarts its containers. */
  rollback: task(z.object({ id }), z.object({ id: z.string(), state: OperationState, actions: z.array(z.string()) })),
  /** The audit log, newest first, optionally only records containing `text`. */
  audit: invoke(z.object({ text: z.string().max(200).optional(), limit: z.number().int().min(1).max(10000).default(200) }), z.array(AuditRecord)),
  /** An operation started, changed step or ended: refetch the list (and the open one). */
  onChanged: event(z.object({ id: z.string() })),
} as const;
