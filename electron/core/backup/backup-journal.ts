/**
 * A backup as an operation: its journal in <config dir>/operations/<id>.json (next to the restores'),
 * written when it starts (the snapshot id is known from the start: the manifest is written last),
 * on each source and before the manifest, and at the end. A journal still "running" whose process
 * is gone is an interrupted backup: nothing to undo (no manifest means no snapshot), closing it is
 * all a rollback does.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { isBackupOperationId, journalIds, journalPath } from '../restore/journal.js';

export const BackupJournalStep = z.enum(['planned', 'copy', 'manifest', 'done']);
export type BackupJournalStep = z.infer<typeof BackupJournalStep>;

export const BackupJournal = z.object({
  version: z.literal(1),
  id: z.string(),
  kind: z.literal('backup'),
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  step: BackupJournalStep,
  pid: z.number(),
  user: z.string(),
  snapshotId: z.string(),
  set: z.string(),
  repositoryId: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  /** The sources' names, in the order they are copied. */
  sources: z.array(z.string()),
  /** The source being copied (step copy). */
  currentSource: z.string().optional(),
  /** Sources copied completely. */
  doneSources: z.array(z.string()).default([]),
  history: z.array(z.object({ step: BackupJournalStep, source: z.string().optional(), at: z.string() })).default([]),
  startedAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().nullable(),
  error: z.string().optional(),
  /** The BackupResult once it succeeded. */
  result: z.unknown().optional(),
});
export type BackupJournal = z.infer<typeof BackupJournal>;

export function newBackupOperationId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-backup-${randomBytes(3).toString('hex')}`;
}

export async function writeBackupJournal(configDir: string, j: BackupJournal): Promise<void> {
  j.updatedAt = new Date().toISOString();
  await writeFileAtomic(journalPath(configDir, j.id), `${JSON.stringify(j, null, 2)}\n`, 0o600);
}

export async function readBackupJournal(configDir: string, id: string): Promise<BackupJournal | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(id) || !isBackupOperationId(id)) return undefined;
  return readJsonFile(journalPath(configDir, id), BackupJournal);
}

/**
 * Records the step a progress report names (step "copy" + source, or "manifest"), once per change.
 * Returns true when the journal changed (the caller writes it and says so).
 */
export function advanceBackupJournal(j: BackupJournal, step: string | undefined, source: string | undefined, at = new Date().toISOString()): boolean {
  if (step === 'copy' && source && source !== j.currentSource) {
    if (j.currentSource && !j.doneSources.includes(j.currentSource)) j.doneSources.push(j.currentSource);
    j.step = 'copy';
    j.currentSource = source;
    j.history.push({ step: 'copy', source, at });
    return true;
  }
  if (step === 'manifest' && j.step !== 'manifest') {
    if (j.currentSource && !j.doneSources.includes(j.currentSource)) j.doneSources.push(j.currentSource);
    j.step = 'manifest';
    delete j.currentSource;
    j.history.push({ step: 'manifest', at });
    return true;
  }
  return false;
}

/** Every backup journal, newest first; an unreadable one is skipped. */
export async function listBackupJournals(configDir: string): Promise<BackupJournal[]> {
  const out: BackupJournal[] = [];
  for (const id of await journalIds(configDir, 'backup')) {
    const j = await readBackupJournal(configDir, id).catch(() => undefined);
    if (j) out.push(j);
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}
