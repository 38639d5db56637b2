/**
 * The on-disk journal of an operation (ARCHITECTURE §6 step 8): <config dir>/operations/<id>.json,
 * rewritten atomically BEFORE each step starts, so after a crash the last record says which step
 * was under way and what had been done — which containers were stopped (and their former state),
 * where the safety copies are, which targets may have been touched. `recoveryAction` turns that
 * into what a rollback must do; it is pure and unit-tested for a crash after every step.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SourceCheck } from '../../../shared/contract/restore.js';
import { pidAlive } from '../config/process-instance.js';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';

/** `recover`: a point-in-time recovery replaying WAL into a new volume (pitr/pitr-operation.ts); the target is not touched. */
export const JournalStep = z.enum(['planned', 'preflight', 'recover', 'stop-users', 'safety-copy', 'restore', 'verify', 'restart', 'done', 'rollback']);
export type JournalStep = z.infer<typeof JournalStep>;

export const JournalUser = z.object({ id: z.string(), name: z.string(), state: z.enum(['running', 'paused', 'stopped']), status: z.string() });

export const JournalTarget = z.object({
  source: z.string(),
  kind: z.enum(['volume', 'postgres', 'mariadb', 'directory']),
  /** Volume name, or the database container, or the container holding the directory. */
  target: z.string(),
  /** directory: the absolute path inside the target container. */
  path: z.string().optional(),
  /** Databases: the ones the target held before this operation (a rollback drops any others). */
  databasesBefore: z.array(z.string()).optional(),
  /** The volume (or directory) did not exist before this operation (a rollback removes it rather than restores it). */
  created: z.boolean(),
  /** Stopped containers of this target, in start order, with their former state. */
  users: z.array(JournalUser).default([]),
  /**
   * The safety copy, once complete: a file under <config dir>/safety/<op-id>/, or `volume:<name>`
   * for a copy kept on the target host (host-safety.ts).
   */
  safetyCopy: z.string().optional(),
  /** The image whose GNU tar made a copy kept on the host, and puts it back. */
  safetyCopyImage: z.string().optional(),
  /** Set before the target is first written: from then on it may differ from its former content. */
  touched: z.boolean().default(false),
  /** For a postgres dumpall target, the format of the safety copy. */
  database: z.string().optional(),
});
export type JournalTarget = z.infer<typeof JournalTarget>;

export const Journal = z.object({
  version: z.literal(1),
  id: z.string(),
  kind: z.enum(['restore', 'verify']),
  /** running until the end; a running journal found at start belongs to an interrupted process. */
  state: z.enum(['running', 'succeeded', 'rolled-back', 'failed', 'rollback-failed']),
  step: JournalStep,
  pid: z.number(),
  user: z.string(),
  snapshotId: z.string(),
  repositoryId: z.string(),
  sourceHost: z.string(),
  targetHostId: z.string(),
  targetHostName: z.string(),
  safetyCopy: z.boolean(),
  targets: z.array(JournalTarget),
  startedAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().nullable(),
  error: z.string().optional(),
  /** What each step did, in words, for operations.get. */
  log: z.array(z.object({ ts: z.string(), message: z.string() })).default([]),
  /** When each step was entered, in order: operations.get shows the steps with their times. */
  history: z.array(z.object({ step: JournalStep, at: z.string() })).default([]),
  /** The step that failed, when one did (the journal's step then moves on to rollback). */
  failedStep: JournalStep.optional(),
  /** The checks against the manifest, once the verify step ran. */
  verification: z.array(SourceCheck).optional(),
  /** Containers started again at the end (or by the rollback), in order. */
  restarted: z.array(z.string()).default([]),
  /** What a rollback put back, in words. */
  rolledBack: z.array(z.string()).default([]),
  /** Verify: throwaway targets its cleanup could not remove (to remove by hand). */
  leftovers: z.array(z.string()).optional(),
  /** The plan's warnings, kept for the result shown later. */
  warnings: z.array(z.string()).default([]),
  /**
   * A point-in-time recovery (pitr/pitr-operation.ts) rather than a snapshot's restore: the
   * cluster, the moment, and the volume the WAL was replayed into (removed by the run; named so a
   * crash's leftover can be found).
   */
  pointInTime: z.object({ cluster: z.string(), at: z.string(), baseId: z.string(), recoveryVolume: z.string().optional() }).optional(),
});
export type Journal = z.infer<typeof Journal>;

/** What an operation's first journal holds, from what is particular to it: running, in the planned step, empty logs. */
export function startJournal(facts: Pick<Journal, 'id' | 'kind' | 'user' | 'snapshotId' | 'repositoryId' | 'sourceHost' | 'targetHostId' | 'targetHostName' | 'safetyCopy' | 'targets' | 'pointInTime'> & { warnings?: string[] }): Journal {
  const startedAt = new Date().toISOString();
  const { pointInTime, warnings, ...rest } = facts;
  return {
    version: 1,
    ...rest,
    state: 'running',
    step: 'planned',
    pid: process.pid,
    startedAt,
    updatedAt: startedAt,
    endedAt: null,
    log: [],
    history: [],
    restarted: [],
    rolledBack: [],
    warnings: warnings ?? [],
    ...(pointInTime ? { pointInTime } : {}),
  };
}

/** Backup operation ids end in "-backup-<6 hex>" (newOperationId('backup')). */
export function isBackupOperationId(id: string): boolean {
  return /-backup-[0-9a-f]{6}$/.test(id);
}

export function operationsDir(configDir: string): string {
  return path.join(configDir, 'operations');
}

export function journalPath(configDir: string, id: string): string {
  return path.join(operationsDir(configDir), `${id}.json`);
}

export async function writeJournal(configDir: string, j: Journal): Promise<void> {
  j.updatedAt = new Date().toISOString();
  await writeFileAtomic(journalPath(configDir, j.id), `${JSON.stringify(j, null, 2)}\n`, 0o600);
}

export async function readJournal(configDir: string, id: string): Promise<Journal | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(id)) return undefined;
  return readJsonFile(journalPath(configDir, id), Journal);
}

/**
 * The ids of the journals in <config dir>/operations, of one family: backups (backup/backup-journal.ts,
 * a schema of their own) or restores and verifies (this file). Both live in the same folder.
 */
export async function journalIds(configDir: string, family: 'backup' | 'restore'): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(operationsDir(configDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .map((n) => n.slice(0, -5))
    .filter((id) => isBackupOperationId(id) === (family === 'backup'));
}

/** Every journal, newest first; an unreadable one is skipped (and reported through `onBad`). */
export async function listJournals(configDir: string, onBad?: (file: string, e: unknown) => void): Promise<Journal[]> {
  const out: Journal[] = [];
  for (const id of await journalIds(configDir, 'restore')) {
    try {
      const j = await readJsonFile(journalPath(configDir, id), Journal);
      if (j) out.push(j);
    } catch (e) {
      onBad?.(`${id}.json`, e);
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export type RecoveryAction =
  /** Nothing was stopped or written: just close the journal. */
  | { kind: 'none'; reason: string }
  /** Data untouched, but containers were stopped: start them again. */
  | { kind: 'restart'; reason: string }
  /** Targets may have been written: put the safety copies back (remove volumes we created), then restart. */
  | { kind: 'rollback'; reason: string; targets: string[] }
  /** Targets may have been written and there is no safety copy for some: restart; report what cannot be undone. */
  | { kind: 'restart-unrecoverable'; reason: string; targets: string[] };

/**
 * What a rollback of an unfinished journal must do, from the step it was in and what it records.
 * - planned / preflight: nothing was changed.
 * - stop-users / safety-copy: containers may be stopped (the journal lists them before stopping),
 *   data is untouched → restart.
 * - restore / verify / restart, or a failed rollback: any target marked touched → restore its
 *   safety copy (or remove a volume we created), then restart.
 * - a verify (kind), at any step: remove its throwaway targets.
 */
export function recoveryAction(j: Journal): RecoveryAction {
  // A verify wrote only into throwaways of its own (throwaway.ts): whatever the step, remove them.
  if (j.kind === 'verify') {
    return { kind: 'rollback', reason: `verify interrupted during ${j.step}: its throwaway volumes and containers are removed (nothing else was written)`, targets: j.targets.map((t) => t.target) };
  }
  const stopped = j.targets.some((t) => t.users.length > 0);
  const touched = j.targets.filter((t) => t.touched);
  switch (j.step) {
    case 'planned':
    case 'preflight':
      return { kind: 'none', reason: `interrupted during ${j.step}: nothing was changed` };
    case 'recover': {
      const left = j.pointInTime?.recoveryVolume ? ` (the volume ${j.pointInTime.recoveryVolume} it replayed into may remain on ${j.targetHostName}: remove it by hand)` : '';
      return { kind: 'none', reason: `interrupted while replaying WAL into a new volume: the target was not touched${left}` };
    }
    case 'stop-users':
    case 'safety-copy':
      if (!touched.length) {
        return stopped
          ? { kind: 'restart', reason: `interrupted during ${j.step}: the data is untouched; the stopped containers are started again` }
          : { kind: 'none', reason: `interrupted during ${j.step}: nothing was changed` };
      }
    // falls through: touched targets (should not happen before restore) are rolled back
    case 'restore':
    case 'verify':
    case 'restart':
    case 'rollback':
    case 'done': {
      if (!touched.length) {
        return stopped ? { kind: 'restart', reason: `interrupted during ${j.step} before any target was written` } : { kind: 'none', reason: 'no target was written' };
      }
      const missing = touched.filter((t) => !t.created && !t.safetyCopy);
      if (missing.length) {
        return {
          kind: 'restart-unrecoverable',
          reason: `interrupted during ${j.step}; no safety copy of ${missing.map((t) => t.target).join(', ')}, which cannot be put back`,
          targets: missing.map((t) => t.target),
        };
      }
      return { kind: 'rollback', reason: `interrupted during ${j.step}: the targets are put back from the safety copy`, targets: touched.map((t) => t.target) };
    }
  }
}

/** Whether a process of this machine still runs (EPERM: it does, as another user). */
export { pidAlive };

/** A running journal is interrupted unless its operation runs in this process or in another live one. */
export function isInterrupted(j: Journal, active: Set<string>): boolean {
  if (j.state !== 'running') return false;
  if (active.has(j.id)) return false;
  return j.pid === process.pid || !pidAlive(j.pid);
}
