/**
 * The `backupSets.*`, `backup.run` and `snapshots.*` handlers: saved sets (passphrases kept apart,
 * never returned), a backup run as a task (progress per source, log lines, cancellable), and
 * browsing a repository by date.
 */
import type { BackupResult, BackupRunInput } from '../../../shared/contract/backup.js';
import { AdHocBackup } from '../../../shared/contract/backup.js';
import { RpcError } from '../../../shared/contract/errors.js';
import type { BackupSet, ManifestSource, SourceSpec } from '../../../shared/contract/snapshots.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { BackendHandlers } from '../backend-types.js';
import type { HostsRepository } from '../config/hosts-repository.js';
import type { Engine } from '../docker/engine.js';
import { createLogger } from '../log.js';
import type { EncryptionSpec } from '../pipeline/index.js';
import { createBackend as createRepositoryBackend, type BackendDeps, type RepositoriesStore, type RepositoryBackend } from '../repository/index.js';
import type { BackupSetsStore } from './backup-sets-store.js';
import { engineId } from '../docker/engine-id.js';
import type { TargetKey, TargetLocks } from '../restore/target-lock.js';
import { consoleSigner, readCheckedManifest, requireTrusted, TrustedWriters } from '../signing/index.js';
import { browseAsOf, browseList, readManifest } from './browse.js';
import type { OperationsHub } from '../operations/operations-hub.js';
import { makeSnapshotId } from '../../../shared/snapshot-id.js';
import { asBackupOperation } from './backup-operation.js';
import { discoverOnEngine } from './discover.js';
import { FileIndexCache, listDirectory } from './file-index.js';
import { SnapshotSummaryCache, snapshotSummaries } from './snapshot-summaries.js';
import { runBackup, type BackupOutcome, type DirectSourceBackup } from './run-backup.js';
import type { Levels } from './levels.js';
import { safeName, sourceNames } from './source-names.js';

const log = createLogger('backup');

export interface BackupDeps {
  sets: BackupSetsStore;
  hosts: HostsRepository;
  engineFor: (hostId: string) => Promise<Engine>;
  repositories: RepositoriesStore;
  backendDeps: BackendDeps;
  toolVersion: string;
  /** Injected in tests (as-of across snapshots made at chosen times). */
  now?: () => Date;
  onChanged?: (repositoryId: string) => void;
  /** A backup wrote a snapshot's manifest (snapshots.onChanged). */
  onSnapshot?: (repositoryId: string, snapshotId: string) => void;
  /** Where backups are journaled as operations (<config dir>/operations/), and the live state of those running. */
  configDir: string;
  operations?: OperationsHub;
  /** Operations running in this process, shared with the restores'. */
  active: Set<string>;
  /** The per-target locks restores take: a backup takes them too, so the two never overlap. */
  locks?: TargetLocks;
  /** Caches of immutable things (manifests, file indexes); tests pass their own to count reads. */
  summaryCache?: SnapshotSummaryCache;
  fileIndexes?: FileIndexCache;
  /** The direct data path: the host's agent copies a source itself (null: it cannot). */
  direct?: (hostId: string, repositoryId: string, req: DirectSourceBackup, report: TaskContext['report'], signal: AbortSignal) => Promise<{ source: ManifestSource; indexBytes?: number } | null>;
  /** The agent's keeping of GNU tar's snapshot files: incremental levels (levels.ts). */
  levels?: Levels;
}

type Handlers = Pick<BackendHandlers, 'backupSets' | 'backup' | 'snapshots'>;

/** The engine targets a backup reads: volumes, and the containers of databases and directories. */
async function backupTargets(engine: Engine, sources: SourceSpec[]): Promise<TargetKey[]> {
  const id = await engineId(engine);
  return sources.map((s) => (s.kind === 'volume' ? { engineId: id, kind: 'volume' as const, name: s.volume } : { engineId: id, kind: 'container' as const, name: s.container }));
}

export function backupHandlers(d: BackupDeps): Handlers {
  /** A repository by id, or else by name (the CLI passes names). */
  const findRepository = async (idOrName: string) => {
    const repos = await d.repositories.list();
    const repo = repos.find((r) => r.id === idOrName) ?? repos.find((r) => r.name === idOrName);
    if (!repo) throw new RpcError('NOT_FOUND', `There is no repository "${idOrName}" (known: ${repos.map((r) => r.name).join(', ')}).`);
    return repo;
  };
  const openBackend = async (repositoryId: string): Promise<{ backend: RepositoryBackend; id: string; builtIn: boolean }> => {
    const repo = await findRepository(repositoryId);
    const [config, secrets] = await Promise.all([d.repositories.stored(repo.id), d.repositories.secrets(repo.id)]);
    return { backend: createRepositoryBackend(config, secrets, d.backendDeps), id: repo.id, builtIn: repo.builtIn };
  };
  const use = async <T>(repositoryId: string, fn: (backend: RepositoryBackend) => Promise<T>): Promise<T> => {
    const { backend } = await openBackend(repositoryId);
    try {
      return await fn(backend);
    } finally {
      await backend.close().catch((e: unknown) => log.warn(`closing ${backend.location} failed`, RpcError.is(e) ? e.message : e));
    }
  };
  const findHost = async (idOrName: string) => {
    const hosts = await d.hosts.list();
    const host = hosts.find((h) => h.id === idOrName) ?? hosts.find((h) => h.name === idOrName);
    if (!host) throw new RpcError('NOT_FOUND', `There is no host "${idOrName}" (known: ${hosts.map((h) => h.name).join(', ') || 'none'}).`);
    return host;
  };

  /** The set to run: a saved one (with its passphrase) or an ad-hoc spec. */
  const resolve = async (input: BackupRunInput) => {
    if ('setId' in input) {
      const set = await d.sets.stored(input.setId);
      let encryption: EncryptionSpec = { kind: 'none' };
      if (set.encryption === 'age-passphrase') {
        const passphrase = await d.sets.passphrase(set.id);
        if (!passphrase) throw new RpcError('INVALID_INPUT', `Backup set ${set.name} encrypts with a passphrase, but none is stored.`);
        encryption = { kind: 'passphrase', passphrase };
      } else if (set.encryption === 'age-recipients') encryption = { kind: 'recipients', recipients: set.recipients };
      return { set: set as BackupSet, encryption, note: input.note };
    }
    const adhoc = AdHocBackup.parse(input);
    const host = await findHost(adhoc.hostId);
    const set: BackupSet = {
      id: 'ad-hoc',
      createdAt: new Date(0).toISOString(),
      name: adhoc.set ?? safeName(host.name, 'adhoc'),
      hostId: host.id,
      repositoryId: adhoc.repositoryId,
      sources: adhoc.sources,
      compression: adhoc.compression,
      encryption: 'none',
      recipients: [],
      stopContainers: adhoc.stopContainers,
      tags: adhoc.tags,
    };
    return { set, encryption: { kind: 'none' } as EncryptionSpec, note: adhoc.note };
  };

  /** One backup run of a resolved set, inside its operation (asBackupOperation). */
  const runOne = async (x: {
    set: BackupSet;
    encryption: EncryptionSpec;
    note: string | undefined;
    host: { id: string; name: string };
    ctx: TaskContext;
    snapshotId: string;
    startedAt: Date;
  }): Promise<BackupResult> => {
    const { set, encryption, note, host, ctx, snapshotId, startedAt } = x;
    const engine = await d.engineFor(host.id);
    // What the backup reads is locked like a restore target: a restore (or another backup) of the
    // same volume or container on this engine waits its turn — whichever host entry it came from.
    const releaseTargets = d.locks ? await d.locks.acquire(snapshotId, await backupTargets(engine, set.sources)) : async () => undefined;
    let outcome: BackupOutcome;
    const { backend, id: repositoryId, builtIn } = await openBackend(set.repositoryId).catch(async (e: unknown) => {
      await releaseTargets();
      throw e;
    });
    try {
      outcome = await runBackup(
        {
          set: set.name,
          host: { id: host.id, name: host.name },
          engine,
          backend,
          sources: set.sources,
          compression: set.compression,
          encryption: { kind: set.encryption, spec: encryption },
          stopContainers: set.stopContainers,
          tags: set.tags,
          note,
          initIfEmpty: builtIn,
          ...(d.levels ? { levels: d.levels } : {}),
          ...(d.direct ? { direct: (req: DirectSourceBackup, report: TaskContext['report'], signal: AbortSignal) => d.direct!(host.id, repositoryId, req, report, signal) } : {}),
        },
        { signal: ctx.signal, report: (e) => ctx.report(e), now: d.now, toolVersion: `hindsight ${d.toolVersion}`, snapshotId, startedAt, signer: await consoleSigner(d.configDir) },
      );
    } finally {
      await backend.close().catch(() => undefined);
      await releaseTargets();
    }
    d.onChanged?.(repositoryId);
    d.onSnapshot?.(repositoryId, outcome.manifest.id);
    const m = outcome.manifest;
    return {
      snapshotId: m.id,
      manifestKey: outcome.manifestKey,
      set: m.set,
      startedAt: m.startedAt,
      completedAt: m.completedAt,
      rawBytes: m.sources.reduce((a, s) => a + s.rawBytes, 0),
      storedBytes: m.sources.reduce((a, s) => a + s.storedBytes, 0),
      sources: m.sources.map((s) => ({
        name: s.name,
        kind: s.kind,
        objectKey: s.objectKey,
        rawBytes: s.rawBytes,
        storedBytes: s.storedBytes,
        ...(s.fileCount !== undefined ? { fileCount: s.fileCount } : {}),
        ...(s.rowCounts ? { rowCounts: s.rowCounts } : {}),
        ...(s.databaseRowCounts ? { databaseRowCounts: s.databaseRowCounts } : {}),
        ...(s.incremental ? { level: s.incremental.level } : {}),
        seconds: (Date.parse(s.completedAt) - Date.parse(s.startedAt)) / 1000,
      })),
    };
  };

  const summaryCache = d.summaryCache ?? new SnapshotSummaryCache();
  const trusted = new TrustedWriters(d.configDir);
  const fileIndexes = d.fileIndexes ?? new FileIndexCache();

  return {
    backupSets: {
      list: () => d.sets.list(),
      add: async (input) => {
        // Stored by id, so renaming a host or repository keeps the set working.
        const host = await findHost(input.hostId);
        const repo = await findRepository(input.repositoryId);
        return d.sets.add({ ...input, hostId: host.id, repositoryId: repo.id });
      },
      remove: async ({ id }) => ({ removed: await d.sets.remove(id) }),
    },

    backup: {
      discover: async ({ hostId, stack }) => {
        const host = await findHost(hostId);
        return discoverOnEngine(await d.engineFor(host.id), stack);
      },
      run: {
        title: (input) => ('setId' in input ? `Back up set ${input.setId}` : `Back up ${input.sources.length} source(s) of ${input.hostId}`),
        run: async (input, taskCtx): Promise<BackupResult> => {
          const { set, encryption, note } = await resolve(input);
          const host = await findHost(set.hostId);
          const repo = await findRepository(set.repositoryId);
          // The snapshot id is made here so that the operation knows it from its start.
          const startedAt = (d.now ?? (() => new Date()))();
          const snapshotId = makeSnapshotId(set.name, { now: startedAt });
          const facts = { snapshotId, set: set.name, repositoryId: repo.id, hostId: host.id, hostName: host.name, sources: sourceNames(set.sources) };
          return asBackupOperation(
            { configDir: d.configDir, hub: d.operations, active: d.active },
            facts,
            taskCtx,
            (ctx) => runOne({ set, encryption, note, host, ctx, snapshotId, startedAt }),
            { repositoryName: repo.name, note },
          );
        },
      },
    },

    snapshots: {
      list: ({ repositoryId, set, from, to, timeZone }) => use(repositoryId, (b) => browseList(b, { set, from, to, timeZone, now: d.now })),
      get: ({ repositoryId, id }) => use(repositoryId, (b) => readManifest(b, id)),
      trust: ({ repositoryId, id }) => use(repositoryId, async (b) => (await readCheckedManifest(b, id, trusted)).trust),
      summaries: async ({ repositoryId, set, from, to, timeZone, limit }) => {
        const repo = await findRepository(repositoryId);
        return use(repo.id, (b) => snapshotSummaries(b, repo.id, { set, from, to, timeZone, limit, now: d.now }, summaryCache));
      },
      files: async ({ repositoryId, snapshotId, source, dir, limit }) => {
        const repo = await findRepository(repositoryId);
        const index = await use(repo.id, async (b) => {
          requireTrusted(await readCheckedManifest(b, snapshotId, trusted), 'browse the files of');
          return fileIndexes.get(b, repo.id, snapshotId, source);
        });
        return listDirectory(index, dir, limit, `the file index of ${source} in ${snapshotId}`);
      },
      asOf: ({ repositoryId, set, when, timeZone }) =>
        use(repositoryId, (b) =>
          browseAsOf(b, {
            when,
            set,
            timeZone,
            now: d.now,
            trusted,
            // A saved set of that name says which sources the set should have.
            wantedSources: async (name) => {
              const saved = (await d.sets.list()).find((s) => s.name === name);
              return saved ? sourceNames(saved.sources) : [];
            },
          }),
        ),
    },
  };
}
