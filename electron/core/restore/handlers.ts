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
import { readAudit } from './audit.js';
import { isInterrupted, listJournals, readJournal, recoveryAction, type Journal } from './journal.js';

export { isInterrupted } from './journal.js';
import { buildPlan, rollbackOperation, runRestore, type HostFacts, type RestoreDeps } from './runner.js';
import { TargetLocks } from './target-lock.js';
import { runVerify } from './verify.js';

const log = createLogger('restore');

export interface RestoreHandlersDeps {
  configDir: string;
  hosts: HostsRepository;
  engines: EngineRegistry;
  repositories: RepositoriesStore;
  backendDeps: BackendDeps;
  /** Tests: hooks into the runner. */
  beforeStep?: RestoreDeps['beforeStep'];
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
  };
}

export function summarize(j: Journal, active: Set<string>): OperationSummary {
  const interrupted = isInterrupted(j, active);
  return {
    id: j.id,
    kind: j.kind,
    title: `${j.kind === 'verify' ? 'Verify' : 'Restore'} ${j.snapshotId} onto ${j.targetHostName}`,
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
  };
}

/** At start: the journals a crashed process left unfinished, logged so they are not missed. */
export async function findInterrupted(deps: RestoreDeps): Promise<OperationSummary[]> {
  const journals = await listJournals(deps.configDir, (f, e) => log.warn(`unreadable journal ${f}`, RpcError.is(e) ? e.message : e));
  const found = journals.filter((j) => isInterrupted(j, deps.active)).map((j) => summarize(j, deps.active));
  for (const s of found) log.warn(`operation ${s.id} (${s.kind} onto ${s.targetHostName}: ${s.targets.join(', ')}) was interrupted during ${s.step}; roll it back with operations.rollback`);
  return found;
}

export function restoreHandlers(deps: RestoreDeps): Pick<BackendHandlers, 'restore' | 'verify' | 'operations'> {
  return {
    restore: {
      plan: async (input) => (await buildPlan(deps, input)).plan,
      // TODO(issue 4): the pre-flight checks without running (being built).
      preflight: () => Promise.reject(new RpcError('INTERNAL', 'restore.preflight is not built yet')),
      run: {
        title: (input) => `Restore ${input.snapshotId}`,
        run: (input, ctx) => runRestore(deps, input, ctx),
      },
    },
    verify: {
      run: {
        title: (input) => `Verify ${input.snapshotId}`,
        run: (input, ctx) => runVerify(deps, input, ctx),
      },
    },
    operations: {
      list: async () => (await listJournals(deps.configDir)).map((j) => summarize(j, deps.active)),
      get: async ({ id }) => {
        const j = await readJournal(deps.configDir, id);
        if (!j) throw new RpcError('NOT_FOUND', `There is no operation ${id}.`);
        return { ...summarize(j, deps.active), steps: [], verification: [], restarted: [], rolledBack: [], journal: j };
      },
      rollback: {
        title: ({ id }) => `Roll back ${id}`,
        run: ({ id }, ctx) => rollbackOperation(deps, id, ctx),
      },
      // TODO(issue 4): the persisted operation log (being built).
      logs: () => Promise.resolve([]),
      audit: ({ text, limit }) => readAudit(deps.configDir, { text, limit }),
    },
  };
}
