/**
 * The `restore`, `verify` and `operations` handlers: the contract over the runner. createBackend
 * builds them once; `findInterrupted` runs at start and logs what a crashed process left behind.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { OperationSummary } from '../../../shared/contract/operations.js';
import type { BackendHandlers } from '../backend-types.js';
import type { HostsRepository } from '../config/hosts-repository.js';
import type { EngineRegistry } from '../docker/engine-registry.js';
import { createLogger } from '../log.js';
import { createBackend as createRepositoryBackend, type BackendDeps, type RepositoriesStore } from '../repository/index.js';
import { readBackupJournal, writeBackupJournal } from '../backup/backup-journal.js';
import type { OperationsHub } from '../operations/operations-hub.js';
import { backupInterrupted, getOperation, listOperations, operationLogs, summarizeRestore } from '../operations/operations-view.js';
import { readAudit } from './audit.js';
import { isBackupOperationId, isInterrupted, listJournals, type Journal } from './journal.js';
import { restorePreflight } from './run-preflight.js';

export { isInterrupted } from './journal.js';
import { rollbackOperation } from './rollback.js';
import { buildPlan, runRestore, type HostFacts, type RestoreDeps } from './runner.js';
import { TargetLocks } from './target-lock.js';
import { runVerify } from './verify.js';

const log = createLogger('restore');

export interface RestoreHandlersDeps {
  configDir: string;
  hosts: HostsRepository;
  engines: EngineRegistry;
  repositories: RepositoriesStore;
  backendDeps: BackendDeps;
  /** Tests and the e2e fault hook: hooks into the runner. */
  beforeStep?: RestoreDeps['beforeStep'];
  operations?: OperationsHub;
  /** A verify recorded its result next to the snapshot (snapshots.onChanged). */
  onVerified?: (repositoryId: string, snapshotId: string) => void;
}

export function restoreDeps(d: RestoreHandlersDeps): RestoreDeps {
  return {
    configDir: d.configDir,
    engineFor: (hostId) => d.engines.forHost(hostId),
    host: async (hostId): Promise<HostFacts> => {
      const h = await d.hosts.get(hostId);
      const c = h.connection;
      return {
        id: h.id,
        name: h.name,
        protected: h.protected,
        ...(c.type === 'ssh' ? { ssh: `${c.user}@${c.address}${c.port === 22 ? '' : ` -p ${c.port}`}` } : {}),
      };
    },
    openRepository: async (id) => {
      const [config, secrets] = await Promise.all([d.repositories.stored(id), d.repositories.secrets(id)]);
      return createRepositoryBackend(config, secrets, d.backendDeps);
    },
    locks: new TargetLocks(d.configDir),
    active: new Set(),
    ...(d.beforeStep ? { beforeStep: d.beforeStep } : {}),
    ...(d.operations ? { operations: d.operations } : {}),
  };
}

export function summarize(j: Journal, active: Set<string>): OperationSummary {
  return summarizeRestore(j, active);
}

/** At start: the journals a crashed process left unfinished, logged so they are not missed. */
export async function findInterrupted(deps: RestoreDeps): Promise<OperationSummary[]> {
  const journals = await listJournals(deps.configDir, (f, e) => log.warn(`unreadable journal ${f}`, RpcError.is(e) ? e.message : e));
  const found = journals.filter((j) => isInterrupted(j, deps.active)).map((j) => summarize(j, deps.active));
  for (const s of found) log.warn(`operation ${s.id} (${s.kind} onto ${s.targetHostName}: ${s.targets.join(', ')}) was interrupted during ${s.step}; roll it back with operations.rollback`);
  return found;
}

/** A backup interrupted by a crash has nothing to undo (no manifest, no snapshot): "rolling back" closes its journal. */
async function closeInterruptedBackup(deps: RestoreDeps, id: string): Promise<{ id: string; state: 'failed'; actions: string[] }> {
  const j = await readBackupJournal(deps.configDir, id);
  if (!j) throw new RpcError('NOT_FOUND', `There is no operation ${id}.`);
  if (!backupInterrupted(j, deps.active)) throw new RpcError('CONFLICT', `Backup ${id} is ${j.state}; only an interrupted one can be closed.`);
  j.state = 'failed';
  j.error ??= 'interrupted: the app stopped during the backup';
  j.endedAt = new Date().toISOString();
  await writeBackupJournal(deps.configDir, j);
  deps.operations?.changed(id);
  return { id, state: 'failed', actions: ['closed the record (nothing to undo: the snapshot was never written)'] };
}

export function restoreHandlers(deps: RestoreDeps, onVerified?: RestoreHandlersDeps['onVerified']): Pick<BackendHandlers, 'restore' | 'verify' | 'operations'> {
  const view = { configDir: deps.configDir, active: deps.active, hub: deps.operations };
  return {
    restore: {
      plan: async (input) => (await buildPlan(deps, input)).plan,
      preflight: (input) => restorePreflight(deps, input),
      run: {
        title: (input) => `Restore ${input.snapshotId}`,
        run: (input, ctx) => runRestore(deps, input, ctx),
      },
    },
    verify: {
      run: {
        title: (input) => `Verify ${input.snapshotId}`,
        run: async (input, ctx) => {
          try {
            return await runVerify(deps, input, ctx);
          } finally {
            // Recorded in the repository whether it passed or not (unless it failed before running).
            onVerified?.(input.repositoryId, input.snapshotId);
          }
        },
      },
    },
    operations: {
      list: () => listOperations(view),
      get: ({ id }) => getOperation(view, id),
      rollback: {
        title: ({ id }) => `Roll back ${id}`,
        run: ({ id }, ctx) => (isBackupOperationId(id) ? closeInterruptedBackup(deps, id) : rollbackOperation(deps, id, ctx)),
      },
      logs: ({ id, afterSeq, limit }) => operationLogs(view, id, afterSeq, limit),
      audit: ({ text, limit }) => readAudit(deps.configDir, { text, limit }),
    },
  };
}
