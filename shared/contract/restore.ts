/**
 * Restore, verify and operations (ARCHITECTURE §6): a restore is a plan (pure, shown first — a dry
 * run), then a journaled run (pre-flight, stop users, safety copy, restore, verify, restart,
 * rollback on any failure). Every run leaves a journal in <config dir>/operations/<id>.json and an
 * audit record in <config dir>/audit.jsonl.
 */
import { z } from 'zod';
import { invoke, task } from './define.js';
import { SourceKind } from './snapshots.js';

const id = z.string().min(1).max(128);

/** The key material to read an encrypted snapshot. Write-only: never stored, never echoed. */
export const DecryptionInput = z.object({
  passphrase: z.string().min(1).max(1024).optional(),
  identities: z.array(z.string().regex(/^AGE-SECRET-KEY-1[0-9A-Z]+$/)).max(20).optional(),
});

export const RestoreInput = z.object({
  repositoryId: id,
  snapshotId: z.string().min(1).max(200),
  targetHostId: id,
  /** source name → target volume (created if missing) or target database container. */
  map: z.record(z.string(), z.string().min(1).max(255)).default({}),
  /**
   * Directory sources: source name → the directory inside the target container to restore into.
   * Without one, the directory it was backed up from — a default shown to the user, never trusted
   * as more (system directories are refused either way, shared/restore-paths.ts).
   */
  paths: z.record(z.string(), z.string().min(1).max(4096)).default({}),
  /** Restore only these sources (default: all). */
  sources: z.array(z.string()).max(100).optional(),
  /** Keep a copy of what will be overwritten, for the rollback (default on). */
  safetyCopy: z.boolean().default(true),
  /** Why, in the user's words — required by the UI when the safety copy is off; kept in the operation's log and the audit record. */
  note: z.string().max(500).optional(),
  /** A protected target host needs its name typed here. */
  confirm: z.string().max(253).optional(),
  /**
   * Accept a snapshot that no trusted writer signed for its host (written before signing existed,
   * or copied from elsewhere). The UI asks for a typed confirmation; it is written to the audit log.
   */
  allowUnsigned: z.boolean().default(false),
  decryption: DecryptionInput.optional(),
});
export type RestoreInput = z.input<typeof RestoreInput>;

export const PlanStepKind = z.enum(['preflight', 'stop-users', 'safety-copy', 'restore', 'verify', 'restart']);
export type PlanStepKind = z.infer<typeof PlanStepKind>;

export const PlanStep = z.object({
  kind: PlanStepKind,
  /** The source this step is about, when it is about one. */
  source: z.string().optional(),
  description: z.string(),
  /** What a person would type to do the same by hand. */
  commands: z.array(z.string()),
});
export type PlanStep = z.infer<typeof PlanStep>;

export const PlanTarget = z.object({
  source: z.string(),
  kind: SourceKind,
  /** 'volume' targets: a volume name; database targets: a container name. */
  targetKind: z.enum(['volume', 'container']),
  target: z.string(),
  /** Directory sources: the directory inside the target container it is restored into. */
  path: z.string().optional(),
  /** The volume does not exist yet and will be created. */
  create: z.boolean(),
  /** Containers that use the target and are stopped during the restore. */
  users: z.array(z.object({ name: z.string(), state: z.string() })),
  objectKey: z.string(),
  storedBytes: z.number(),
  rawBytes: z.number(),
});
export type PlanTarget = z.infer<typeof PlanTarget>;

export const RestorePlan = z.object({
  snapshotId: z.string(),
  repositoryId: z.string(),
  targetHost: z.object({ id: z.string(), name: z.string(), protected: z.boolean() }),
  targets: z.array(PlanTarget),
  steps: z.array(PlanStep),
  /** Stored bytes read from the repository plus, with a safety copy, the (estimated) bytes copied aside. */
  bytes: z.number(),
  estimatedSeconds: z.number(),
  /** Things a person should know before running it (e.g. a protected host, an unsupported kind). */
  warnings: z.array(z.string()),
  /** Reasons the run would be refused as planned; empty when it can run. */
  blockers: z.array(z.string()),
  safetyCopy: z.boolean(),
});
export type RestorePlan = z.infer<typeof RestorePlan>;

export const OperationKind = z.enum(['backup', 'restore', 'verify']);
export type OperationKind = z.infer<typeof OperationKind>;
export const OperationState = z.enum(['running', 'succeeded', 'rolled-back', 'failed', 'interrupted', 'rollback-failed', 'cancelled']);
export type OperationState = z.infer<typeof OperationState>;

export const SourceCheck = z.object({
  source: z.string(),
  target: z.string(),
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), expected: z.string(), actual: z.string() })),
});
export type SourceCheck = z.infer<typeof SourceCheck>;

export const RestoreResult = z.object({
  operationId: z.string(),
  state: OperationState,
  verification: z.array(SourceCheck),
  warnings: z.array(z.string()),
  /** Containers started again at the end, in the order they were started. */
  restarted: z.array(z.string()).default([]),
  /** On a rollback: what was put back, in words ("volume shop_files from the safety copy"). */
  rolledBack: z.array(z.string()).default([]),
  seconds: z.number().default(0),
});
export type RestoreResult = z.infer<typeof RestoreResult>;

export const VerifyInput = z.object({
  repositoryId: id,
  snapshotId: z.string().min(1).max(200),
  hostId: id,
  allowUnsigned: z.boolean().default(false),
  decryption: DecryptionInput.optional(),
});
export type VerifyInput = z.input<typeof VerifyInput>;

export const VerifyResult = z.object({
  operationId: z.string(),
  ok: z.boolean(),
  snapshotId: z.string(),
  hostId: z.string(),
  verification: z.array(SourceCheck),
  /** Where the result was recorded in the repository. */
  recordKey: z.string(),
});
export type VerifyResult = z.infer<typeof VerifyResult>;


/** One pre-flight check as the wizard shows it: pass, warn (can go on) or fail (blocks the run), and why. */
export const PreflightCheck = z.object({
  /** Stable id: reachability, users, free-space, postgres-version, lock, protected, target, … */
  id: z.string(),
  /** The source it is about, when it is about one. */
  source: z.string().optional(),
  title: z.string(),
  status: z.enum(['pass', 'warn', 'fail']),
  detail: z.string(),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;

export const restoreContract = {
  /** The plan without running anything (a dry run): steps, equivalent commands, bytes, estimate. */
  plan: invoke(RestoreInput, RestorePlan),
  /** The pre-flight checks the run would do, done now without changing anything. */
  preflight: invoke(RestoreInput, z.object({ checks: z.array(PreflightCheck), ok: z.boolean() })),
  /** Runs the plan as a journaled state machine; rolls back on any failure of restore/verify/restart. */
  run: task(RestoreInput, RestoreResult),
} as const;

export const verifyContract = {
  /** Restores into throwaway volumes/containers on a host, checks against the manifest, removes them, records the result. */
  run: task(VerifyInput, VerifyResult),
} as const;
