/**
 * Runs a backup as an operation: a journal (backup-journal.ts) written at the start, on each step
 * the run reports (progress events with step "copy" + source, then "manifest") and at the end; the
 * log lines kept in the operation's log file; operations.onChanged on each change (OperationsHub);
 * and, when it ends (succeeded, failed or cancelled), one line in the audit log, like a restore's.
 */
import type { TaskContext } from '../../../shared/contract/types.js';
import { createLogger } from '../log.js';
import type { OperationsHub } from '../operations/operations-hub.js';
import { appendAudit, osUser } from '../restore/audit.js';
import { advanceBackupJournal, newBackupOperationId, writeBackupJournal, type BackupJournal } from './backup-journal.js';

const log = createLogger('backup');

export interface BackupOperationDeps {
  configDir: string;
  hub?: OperationsHub | undefined;
  /** Operations running in this process (shared with restores: a running journal of ours is not interrupted). */
  active: Set<string>;
}

export interface BackupFacts {
  snapshotId: string;
  set: string;
  repositoryId: string;
  hostId: string;
  hostName: string;
  sources: string[];
}

/** For the audit record only (not journaled): the repository's name and the user's note. */
export interface BackupAuditFacts {
  repositoryName?: string | undefined;
  note?: string | undefined;
}

export async function asBackupOperation<T>(
  d: BackupOperationDeps,
  facts: BackupFacts,
  taskCtx: TaskContext,
  run: (ctx: TaskContext) => Promise<T>,
  audit: BackupAuditFacts = {},
): Promise<T> {
  const id = newBackupOperationId();
  const startedAt = new Date().toISOString();
  const journal: BackupJournal = {
    version: 1,
    id,
    kind: 'backup',
    state: 'running',
    step: 'planned',
    pid: process.pid,
    user: osUser(),
    ...facts,
    doneSources: [],
    history: [],
    startedAt,
    updatedAt: startedAt,
    endedAt: null,
  };
  // Journal writes are serialized: a step change never overtakes the one before.
  let writes: Promise<void> = Promise.resolve();
  const save = () => {
    writes = writes
      .then(() => writeBackupJournal(d.configDir, journal))
      .then(() => d.hub?.changed(id))
      .catch((e: unknown) => log.warn(`could not write the journal of ${id}`, e instanceof Error ? e.message : e));
    return writes;
  };
  await writeBackupJournal(d.configDir, journal);
  d.active.add(id);
  const inner = d.hub ? d.hub.begin(id, taskCtx) : taskCtx;
  const ctx: TaskContext = {
    ...inner,
    report: (event) => {
      if (event.type === 'progress' && advanceBackupJournal(journal, event.step, event.source)) void save();
      inner.report(event);
    },
  };
  try {
    const result = await run(ctx);
    journal.state = 'succeeded';
    journal.step = 'done';
    journal.doneSources = [...journal.sources];
    journal.result = result;
    return result;
  } catch (e) {
    journal.state = taskCtx.signal.aborted ? 'cancelled' : 'failed';
    journal.error = e instanceof Error ? e.message : String(e);
    throw e;
  } finally {
    journal.endedAt = new Date().toISOString();
    await save();
    d.active.delete(id);
    await d.hub?.end(id);
    await appendAudit(d.configDir, {
      operationId: id,
      kind: 'backup',
      user: journal.user,
      snapshotId: facts.snapshotId,
      repositoryId: facts.repositoryId,
      from: `${facts.hostName}: ${facts.sources.join(', ')}`,
      // The id is chosen at the start; only a run that succeeded wrote its manifest.
      to: `${audit.repositoryName ?? facts.repositoryId}: ${facts.snapshotId}${journal.state === 'succeeded' ? '' : ' (not made)'}`,
      result: journal.state,
      ...(journal.error ? { error: journal.error } : {}),
      ...(audit.note?.trim() ? { note: audit.note.trim() } : {}),
      startedAt,
      endedAt: journal.endedAt,
    }).catch((e: unknown) => log.warn('could not append to the audit log', e instanceof Error ? e.message : e));
  }
}
