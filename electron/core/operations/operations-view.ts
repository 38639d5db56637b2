/**
 * operations.list / get / logs over both kinds of journal in <config dir>/operations/: restores and
 * verifies (restore/journal.ts) and backups (backup/backup-journal.ts), with what only this process
 * knows added (the running task, its last progress: OperationsHub).
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { OperationDetail, OperationLogLine, OperationSummary } from '../../../shared/contract/operations.js';
import type { RestoreResult } from '../../../shared/contract/restore.js';
import { listBackupJournals, readBackupJournal, type BackupJournal } from '../backup/backup-journal.js';
import { isBackupOperationId, isInterrupted, listJournals, readJournal, recoveryAction, type Journal } from '../restore/journal.js';
import { readOperationLog } from './operation-log.js';
import { backupStepsFromJournal, restoreStepsFromJournal } from './operation-steps.js';
import type { OperationsHub } from './operations-hub.js';

export interface OperationsViewDeps {
  configDir: string;
  /** Operations running in this process. */
  active: Set<string>;
  hub?: OperationsHub | undefined;
}

export function restoreTitle(j: Pick<Journal, 'kind' | 'snapshotId' | 'targetHostName' | 'pointInTime' | 'targets'>): string {
  if (j.pointInTime) return `Recover ${j.targets[0]?.source ?? `cluster ${j.pointInTime.cluster}`} to ${j.pointInTime.at.replace(/\.000Z$/, 'Z')} onto ${j.targetHostName}`;
  return j.kind === 'verify' ? `Verify ${j.snapshotId} on ${j.targetHostName}` : `Restore ${j.snapshotId} onto ${j.targetHostName}`;
}

export function summarizeRestore(j: Journal, active: Set<string>, hub?: OperationsHub): OperationSummary {
  const interrupted = isInterrupted(j, active);
  const live = hub?.liveOf(j.id);
  return {
    id: j.id,
    kind: j.kind,
    title: restoreTitle(j),
    state: interrupted ? 'interrupted' : j.state,
    snapshotId: j.snapshotId,
    repositoryId: j.repositoryId,
    targetHostId: j.targetHostId,
    targetHostName: j.targetHostName,
    targets: j.targets.map((t) => t.target),
    step: j.step,
    startedAt: j.startedAt,
    endedAt: j.endedAt,
    ...(j.error ? { error: j.error } : {}),
    ...(interrupted || j.state === 'rollback-failed' ? { recovery: recoveryAction(j).reason } : {}),
    ...(live?.taskId && j.state === 'running' ? { taskId: live.taskId } : {}),
    ...(live?.progress ? { progress: live.progress } : {}),
    ...(j.pointInTime ? { pointInTime: { cluster: j.pointInTime.cluster, at: j.pointInTime.at } } : {}),
  };
}

/** A backup journal left "running" by a process that is gone. */
export function backupInterrupted(j: BackupJournal, active: Set<string>): boolean {
  return isInterrupted({ state: j.state === 'cancelled' ? 'failed' : j.state, id: j.id, pid: j.pid } as Journal, active);
}

export function summarizeBackup(j: BackupJournal, active: Set<string>, hub?: OperationsHub): OperationSummary {
  const interrupted = backupInterrupted(j, active);
  const live = hub?.liveOf(j.id);
  return {
    id: j.id,
    kind: 'backup',
    title: `Back up ${j.set} (${j.hostName})`,
    state: interrupted ? 'interrupted' : j.state,
    snapshotId: j.snapshotId,
    repositoryId: j.repositoryId,
    targetHostId: j.hostId,
    targetHostName: j.hostName,
    targets: j.sources,
    step: j.step,
    startedAt: j.startedAt,
    endedAt: j.endedAt,
    ...(j.error ? { error: j.error } : {}),
    ...(interrupted
      ? { recovery: 'The app stopped during this backup. Nothing needs undoing: without its manifest the snapshot does not exist. Rolling back closes this record.' }
      : {}),
    ...(live?.taskId && j.state === 'running' ? { taskId: live.taskId } : {}),
    ...(live?.progress ? { progress: live.progress } : {}),
  };
}

export async function listOperations(d: OperationsViewDeps): Promise<OperationSummary[]> {
  const [restores, backups] = await Promise.all([listJournals(d.configDir), listBackupJournals(d.configDir)]);
  const all = [...restores.map((j) => summarizeRestore(j, d.active, d.hub)), ...backups.map((j) => summarizeBackup(j, d.active, d.hub))];
  return all.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

function restoreResultOf(j: Journal): RestoreResult | undefined {
  if (j.state !== 'succeeded') return undefined;
  const seconds = j.endedAt ? Math.max(0, (Date.parse(j.endedAt) - Date.parse(j.startedAt)) / 1000) : 0;
  return { operationId: j.id, state: j.state, verification: j.verification ?? [], warnings: j.warnings, restarted: j.restarted, rolledBack: j.rolledBack, seconds };
}

export async function getOperation(d: OperationsViewDeps, id: string): Promise<OperationDetail> {
  if (isBackupOperationId(id)) {
    const j = await readBackupJournal(d.configDir, id);
    if (!j) throw new RpcError('NOT_FOUND', `There is no operation ${id}.`);
    return {
      ...summarizeBackup(j, d.active, d.hub),
      steps: backupStepsFromJournal(j, backupInterrupted(j, d.active)),
      verification: [],
      restarted: [],
      rolledBack: [],
      ...(j.result !== undefined ? { result: j.result } : {}),
      journal: j,
    };
  }
  const j = await readJournal(d.configDir, id);
  if (!j) throw new RpcError('NOT_FOUND', `There is no operation ${id}.`);
  const result = restoreResultOf(j);
  return {
    ...summarizeRestore(j, d.active, d.hub),
    steps: restoreStepsFromJournal(j, isInterrupted(j, d.active)),
    verification: j.verification ?? [],
    restarted: j.restarted,
    rolledBack: j.rolledBack,
    ...(result ? { result } : {}),
    journal: j,
  };
}

export async function operationLogs(d: OperationsViewDeps, id: string, afterSeq: number, limit: number): Promise<OperationLogLine[]> {
  await d.hub?.flush(id);
  const lines = await readOperationLog(d.configDir, id, afterSeq, limit);
  if (lines.length || afterSeq >= 0) return lines;
  // Operations from before the log files existed: their journal's own log, numbered.
  if (isBackupOperationId(id)) return [];
  const j = await readJournal(d.configDir, id).catch(() => undefined);
  if (!j) throw new RpcError('NOT_FOUND', `There is no operation ${id}.`);
  return j.log.slice(0, limit).map((l, seq) => ({ seq, ts: l.ts, level: 'info' as const, message: l.message }));
}
