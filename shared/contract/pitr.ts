/**
 * PostgreSQL point-in-time recovery (issue 10 item 2, docs/pitr.md): a host's agent keeps a base
 * backup and every WAL segment of a PostgreSQL container's cluster in a repository; the repository
 * then shows a recoverable window per cluster, and a restore "as of" any moment in it recovers the
 * cluster onto a target container (a new data volume, WAL replayed to the time, swapped in with a
 * safety copy). Jobs are saved in the console (`pitr.json`) and pushed to the host's agent.
 */
import { z } from 'zod';
import { invoke, task } from './define.js';

const id = z.string().min(1).max(128);
const container = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, 'a container name');

/** One container's cluster archived into one repository. */
export const PitrRef = z.object({ hostId: id, container, repositoryId: id });
export type PitrRef = z.infer<typeof PitrRef>;

export const PitrJob = PitrRef.extend({
  /** A new base backup when the newest is older than this many days. */
  baseEveryDays: z.number().int().min(1).max(365).default(7),
  /** Base backups kept, with the WAL from the oldest one's start; older ones are deleted after a new one. */
  keepBases: z.number().int().min(1).max(100).default(2),
  enabledAt: z.string(),
});
export type PitrJob = z.infer<typeof PitrJob>;

/** The last archiving step the agent ran for a job. */
export const PitrStepReport = z.object({
  at: z.string(),
  result: z.enum(['succeeded', 'failed']),
  error: z.string().optional(),
  cluster: z.string().optional(),
  shipped: z.number().int().optional(),
  baseId: z.string().nullable().optional(),
  /** Base backups deleted by retention after this step's new one. */
  prunedBases: z.array(z.string()).optional(),
  /** WAL the replication slot makes the server keep (not yet received), bytes. */
  retainedBytes: z.number().optional(),
});
export type PitrStepReport = z.infer<typeof PitrStepReport>;

export const PitrWindow = z.object({ baseId: z.string(), from: z.string(), to: z.string() });
export type PitrWindow = z.infer<typeof PitrWindow>;

export const PitrCluster = z.object({
  /** PostgreSQL's system identifier. */
  cluster: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  container: z.string(),
  serverVersion: z.string(),
  bases: z.number().int(),
  segments: z.number().int(),
  storedBytes: z.number(),
  /** Newest first. */
  windows: z.array(PitrWindow),
  /** What was left out of the archive and why (an untrusted record, a broken list). */
  problems: z.array(z.string()),
});
export type PitrCluster = z.infer<typeof PitrCluster>;

export const PitrStatus = z.object({
  jobs: z.array(PitrJob.extend({ last: PitrStepReport.nullable() })),
  clusters: z.array(PitrCluster),
});
export type PitrStatus = z.infer<typeof PitrStatus>;

export const PitrRestoreInput = z.object({
  repositoryId: id,
  cluster: z.string().regex(/^\d{1,20}$/),
  /** ISO 8601 with zone: the moment to recover to. */
  at: z.string().datetime({ offset: true }),
  targetHostId: id,
  target: container,
  /** Protected target hosts: the host's name, typed. */
  confirm: z.string().max(255).optional(),
  dryRun: z.boolean().default(false),
});
export type PitrRestoreInput = z.input<typeof PitrRestoreInput>;

export const PitrRestoreResult = z.object({
  cluster: z.string(),
  at: z.string(),
  window: z.object({ from: z.string(), to: z.string() }),
  baseId: z.string(),
  segments: z.number().int(),
  bytes: z.number(),
  target: z.string(),
  dataVolume: z.string(),
  /** The equivalent commands (the by-hand path). */
  commands: z.array(z.string()),
  /** Absent on a dry run. */
  done: z.object({ replayedTo: z.string(), safetyVolume: z.string() }).optional(),
  /** The operation that ran it (operations.get), absent on a dry run. */
  operationId: z.string().optional(),
});
export type PitrRestoreResult = z.infer<typeof PitrRestoreResult>;

export const pitrContract = {
  status: invoke(z.object({ repositoryId: id }), PitrStatus),
  /** Save the job, push it to the host's agent, and run its first step there (slot, receiver, base backup). */
  enable: task(PitrRef.extend({ baseEveryDays: z.number().int().min(1).max(365).default(7), keepBases: z.number().int().min(1).max(100).default(2) }), PitrStepReport),
  /** Forget the job, stop the receiver and drop the slot; the archive stays in the repository. */
  disable: task(PitrRef, z.object({ slotDropped: z.boolean() })),
  restore: task(PitrRestoreInput, PitrRestoreResult),
} as const;
