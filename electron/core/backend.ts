/**
 * createBackend: the domain assembled — config store, SSH, Docker engines, inventory, services and
 * logs — behind the handlers the router serves. Plain Node: the same object runs under Electron's
 * main process, the web host, the CLI and the tests.
 */
import { BackupRunInput } from '../../shared/contract/backup.js';
import { VerifyInput } from '../../shared/contract/restore.js';
import type { Plan } from '../../shared/contract/plans.js';
import type { TaskContext } from '../../shared/contract/types.js';
import { plansHandlers } from './plans/plans-handlers.js';
import { RpcError } from '../../shared/contract/errors.js';
import { backupHandlers } from './backup/backup-handlers.js';
import { BackupSetsStore } from './backup/backup-sets-store.js';
import type { Backend, BackendHandlers, BackendOptions } from './backend-types.js';
import { HostsRepository } from './config/hosts-repository.js';
import { configFiles, userKnownHostsPath } from './config/paths.js';
import { SecretsStore } from './config/secrets-store.js';
import { EngineRegistry } from './docker/engine-registry.js';
import { InventoryService } from './docker/inventory-service.js';
import { localSocketPath, pingSocket } from './docker/local-discovery.js';
import { followLogs } from './docker/logs.js';
import { containerAction, stackAction } from './docker/services.js';
import { hostsHandlers } from './hosts-handlers.js';
import { createLogger } from './log.js';
import { repositoriesHandlers } from './repositories-handlers.js';
import { RepositoriesStore } from './repository/index.js';
import { OperationsHub } from './operations/operations-hub.js';
import { findInterrupted, restoreDeps, restoreHandlers } from './restore/handlers.js';
import { sweepSafetyCopies } from './restore/safety-sweep.js';
import type { SshConnectDeps } from './ssh/connect.js';
import { KnownHostsStore } from './ssh/known-hosts-store.js';
import { PendingHostKeys } from './ssh/pending-host-keys.js';
import { APP_VERSION } from './rpc/app-version.js';
import { AgentManager } from './agent/agent-manager.js';
import { pitrHandlers } from './pitr/pitr-handlers.js';
import type { DirectSourceBackup } from './backup/run-backup.js';
import { Levels } from './backup/levels.js';
import { TrustedWriters } from './signing/index.js';
import { countBuffersInHeapLimit } from './pipeline/heap-accounting.js';

const log = createLogger('backend');

export type { Backend, BackendOptions } from './backend-types.js';

export async function createBackend(options: BackendOptions): Promise<Backend> {
  // Every process that moves data (Electron's main process, the web host, the CLI, the agent)
  // builds its backend here: its stream Buffers count in V8's heap limit from now on (the relay's
  // backup of 1 GiB took 21.0 s without it and 13.3 s with it, the console's CPU ~17 → ~10 s).
  countBuffersInHeapLimit();
  const files = configFiles(options.configDir);
  const secrets = new SecretsStore(files.secrets);
  const hosts = new HostsRepository(files.hosts, secrets);
  const knownHosts = new KnownHostsStore(
    files.knownHosts,
    options.userKnownHostsPath === undefined ? userKnownHostsPath() : options.userKnownHostsPath,
  );
  const pendingKeys = new PendingHostKeys();
  const sshDeps: SshConnectDeps = {
    knownHosts,
    pendingKeys,
    agentSocket: 'agentSocket' in options ? options.agentSocket : process.env.SSH_AUTH_SOCK,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  };
  const engines = new EngineRegistry(hosts, secrets, sshDeps, options.helperPipes);
  const repositories = new RepositoriesStore(options.configDir);

  const listeners = new Set<(name: string, payload: unknown) => void>();
  const emit = (name: string, payload: unknown) => {
    for (const l of listeners) {
      try {
        l(name, payload);
      } catch (e) {
        log.warn(`an event listener failed on ${name}`, e);
      }
    }
  };
  const inventory = new InventoryService({
    engineFor: (hostId) => engines.forHost(hostId),
    onChanged: (hostId) => emit('inventory.onChanged', { hostId }),
    ...options.inventory,
  });

  await seedLocalHostOnFirstRun(hosts, options, emit);

  // Restore, verify, operations (ARCHITECTURE §6). Unfinished journals of a crashed run are found
  // (and logged) now; operations.list shows them as interrupted, operations.rollback undoes them.
  // Every operation (backup, restore, verify) reports its changes through one hub: live task and
  // progress for operations.list, a log file per operation, and operations.onChanged.
  const operations = new OperationsHub(options.configDir, (id) => emit('operations.onChanged', { id }));
  const snapshotChanged = (repositoryId: string, snapshotId: string) => emit('snapshots.onChanged', { repositoryId, snapshotId });
  const restore = restoreDeps({
    configDir: options.configDir,
    hosts,
    engines,
    repositories,
    backendDeps: { configDir: options.configDir, ssh: sshDeps },
    operations,
    ...(options.restoreBeforeStep ? { beforeStep: options.restoreBeforeStep } : {}),
  });
  await findInterrupted(restore).catch((e: unknown) => log.warn('could not read the operation journals', RpcError.is(e) ? e.message : e));
  // Safety copies of operations that ended well, past their retention (restore/safety-sweep.ts).
  await sweepSafetyCopies(options.configDir, { active: restore.active }).catch((e: unknown) => log.warn('could not sweep old safety copies', RpcError.is(e) ? e.message : e));

  // The agent on each host (electron/core/agent): installed and driven through the host's engine.
  const agents = new AgentManager({
    configDir: options.configDir,
    hosts,
    engineFor: (hostId) => engines.forHost(hostId),
    repositories,
    trusted: new TrustedWriters(options.configDir),
  });
  // A restore onto a host with an agent: the agent moves the data (the direct path).
  if (!options.agentMode) {
    restore.direct = (hostId, req, signal, onProgress) => agents.restoreSource(hostId, req, signal, onProgress);
    restore.directStart = (hostId, req, signal) => agents.startRestoreSource(hostId, req, signal);
    // …and keeps the volumes' safety copies on the host, made by its image's GNU tar (restore/host-safety.ts).
    restore.hostSafetyImage = (hostId) => agents.safetyImage(hostId);
  }
  // A plan's run is an ordinary backup of its set, through the same task as a clicked one.
  const { runner: planRunner, ...plans } = plansHandlers({
      configDir: options.configDir,
      hosts,
      repositories,
      backendDeps: { configDir: options.configDir, ssh: sshDeps },
      runBackup: (input, ctx) => handlers.backup.run.run(BackupRunInput.parse(input), ctx),
      verify: (input, ctx) => handlers.verify.run.run(VerifyInput.parse(input), ctx),
      locks: restore.locks,
      // Inside an agent the plans are run right here (never handed to "an agent" again).
      ...(options.agentMode ? {} : { runOnAgent: (plan: Plan, ctx: TaskContext) => agents.runPlan(plan, ctx) }),
      // A host's agent runs its plans: it gets every change (none without an agent).
      onChanged: async (hostId) => {
        await agents.push(hostId).catch((e: unknown) => log.warn(`could not send the plans to the agent on ${hostId}`, e instanceof Error ? e.message : e));
      },
      ...(options.runner ? { runner: options.runner } : {}),
  });

  const handlers: BackendHandlers = {
    hosts: hostsHandlers({ hosts, engines, inventory, knownHosts, pendingKeys, localSocket: options.localSocketPath, emit }),
    inventory: {
      get: async ({ hostId, refresh }) => {
        await hosts.stored(hostId); // NOT_FOUND before any watching starts
        return inventory.get(hostId, refresh);
      },
    },
    services: {
      container: async ({ hostId, containerId, action }) => {
        const outcome = await containerAction(await engines.forHost(hostId), hostId, containerId, action);
        inventory.invalidate(hostId);
        return outcome;
      },
      stack: {
        title: ({ project, action }) => `${action[0]!.toUpperCase()}${action.slice(1)} compose project ${project}`,
        run: async ({ hostId, project, action }, ctx) => {
          try {
            return await stackAction(await engines.forHost(hostId), hostId, project, action, ctx);
          } finally {
            inventory.invalidate(hostId);
          }
        },
      },
    },
    // SFTP repositories share the hosts' known_hosts and pending keys: an unknown annex key shown by
    // repositories.check is accepted with hosts.acceptHostKey, like a host's.
    repositories: repositoriesHandlers({
      store: repositories,
      backendDeps: { configDir: options.configDir, ssh: sshDeps },
      emit,
    }),
    ...restoreHandlers(restore, snapshotChanged),
    plans,
    pitr: pitrHandlers({
      configDir: options.configDir,
      hosts,
      engineFor: (hostId) => engines.forHost(hostId),
      repositories,
      backendDeps: { configDir: options.configDir, ssh: sshDeps },
      trusted: new TrustedWriters(options.configDir),
      push: (hostId, ctx) => agents.push(hostId, ctx),
      operations: { locks: restore.locks, active: restore.active, hub: operations },
      // Inside an agent the recovery runs right there.
      ...(options.agentMode
        ? {}
        : {
            restoreOnAgent: (hostId: string, repositoryId: string, req: { cluster: string; at: string; target: string; operationId: string; safetyImage?: string | undefined }, ctx: TaskContext) => agents.pitrRestore(hostId, repositoryId, req, ctx),
            agentImage: (hostId: string) => agents.safetyImage(hostId),
          }),
    }),
    agent: {
      status: ({ hostId }) => agents.status(hostId),
      install: { title: ({ hostId }) => `Install the Hindsight agent on ${hostId}`, run: ({ hostId }, ctx) => agents.install(hostId, ctx) },
      upgrade: { title: ({ hostId }) => `Upgrade the Hindsight agent on ${hostId}`, run: ({ hostId }, ctx) => agents.install(hostId, ctx) },
      remove: { title: ({ hostId }) => `Remove the Hindsight agent from ${hostId}`, run: ({ hostId, purge }, ctx) => agents.remove(hostId, purge, ctx) },
    },
    logs: {
      follow: async ({ hostId, containerId, tail }, sink) => followLogs(await engines.forHost(hostId), { containerId, tail }, sink),
    },
    // Backup sets, backup runs (tasks) and browsing snapshots by date: electron/core/backup.
    ...backupHandlers({
      sets: new BackupSetsStore(options.configDir),
      hosts,
      engineFor: (hostId) => engines.forHost(hostId),
      repositories,
      backendDeps: { configDir: options.configDir, ssh: sshDeps },
      toolVersion: APP_VERSION,
      onChanged: (repositoryId) => emit('repositories.onChanged', { repositoryId }),
      onSnapshot: snapshotChanged,
      configDir: options.configDir,
      operations,
      active: restore.active,
      locks: restore.locks,
      // On the agent, incremental levels: GNU tar's snapshot files kept in its state (levels.ts).
      ...(options.agentMode && options.helperPipes ? { levels: new Levels(options.configDir, options.helperPipes.dir, new TrustedWriters(options.configDir)) } : {}),
      ...(options.agentMode ? {} : { direct: (hostId: string, repositoryId: string, req: DirectSourceBackup, report: TaskContext['report'], signal: AbortSignal) => agents.backupSource(hostId, repositoryId, req, report, signal) }),
    }),
  };

  let disposed = false;
  return {
    handlers,
    runPlan: planRunner,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      listeners.clear();
      await inventory.dispose();
      engines.disposeAll();
    },
  };
}

/**
 * Decision: the local engine is always *offered* by the UI (hosts.discoverLocal). In addition, on
 * the very first run — no hosts.json at all — if the local socket answers we save it as host
 * "local" (role other), so a new user sees their own containers at once. Once hosts.json exists
 * (even empty, e.g. after removing "local") we never add it again.
 */
async function seedLocalHostOnFirstRun(
  hosts: HostsRepository,
  options: BackendOptions,
  emit: (name: string, payload: unknown) => void,
): Promise<void> {
  if (options.seedLocalHost === false) return;
  try {
    if (await hosts.exists()) return;
    const socketPath = options.localSocketPath ?? localSocketPath();
    if (!(await pingSocket(socketPath, 1_500))) return;
    const seeded = await hosts.seedIfMissing([
      { name: 'local', role: 'other', protected: false, connection: { type: 'local', socketPath } },
    ]);
    if (seeded) emit('hosts.onChanged', {});
  } catch (e) {
    // A failed convenience must not keep the app from starting; hosts.list will show any real problem.
    log.warn('could not add the local engine on first run', RpcError.is(e) ? e.message : e);
  }
}
