/**
 * One backup run (ARCHITECTURE §4–§5): every source of a set, streamed from the host's engine
 * (through its SSH tunnel) through the pipeline into the repository, then the manifest — LAST, once
 * every data object has been confirmed by a stat (its size is the stored byte count).
 *
 *   lock "set-<set>" → snapshot id → per source, one after the other:
 *     volume     [stop its users] → helper's archive tar → tar guard (counts, file index) → pipeline → data/<id>/<src>.tar.zst
 *                                   file index (JSON lines) → its own pipeline → index/<id>/<src>.files.jsonl.zst
 *                [start its users again, whatever happened]
 *     postgres   row counts (before the dump) → pg_dumpall / pg_dump -Fc → pipeline → data/<id>/<src>.sql.zst | .dump.zst
 *     directory, mariadb, mongo: the same shapes
 *   → stat every object → manifest snapshots/YYYY/MM/DD/<id>.json → release the lock
 *
 * On failure or cancellation nothing is half-written: the pipeline aborts the upload in progress
 * (temp file removed, multipart aborted), no manifest is written, and the objects already uploaded
 * for this snapshot are deleted (best effort, logged) — without a manifest they would be orphans.
 *
 * Sources run one after the other: the bottleneck is the one SSH connection to the host (and two
 * cores), and consecutive copies make "stop users during the copy" short and predictable.
 */
import { createHash } from 'node:crypto';
import { RpcError } from '../../../shared/contract/errors.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { EncryptionKind, Manifest, ManifestSource, SourceSpec } from '../../../shared/contract/snapshots.js';
import { makeSnapshotId, parseSnapshotId } from '../../../shared/snapshot-id.js';
import { dial } from '../docker/dial.js';
import type { Engine } from '../docker/engine.js';
import { createLogger } from '../log.js';
import { signManifest, type ManifestSigner } from '../signing/index.js';
import type { EncryptionSpec, PipelineProgress } from '../pipeline/index.js';
import {
  acquireLock,
  dataPrefix,
  INDEX_PREFIX,
  manifestKey,
  openOrInitRepository,
  openRepository,
  writeJsonObject,
  type RepositoryBackend,
  type RepositoryLock,
} from '../repository/index.js';
import { restartUsers, stopUsers, type SavedUsers } from '../sources/index.js';
import { sourceNames } from './source-names.js';
import type { Levels } from './levels.js';
import { recordInCatalog } from './catalog.js';
import { catalogEntryOf } from './snapshot-summaries.js';
import { copySource, formatBytes, type SourceContext, type Written } from './copy-source.js';

export { formatBytes };

const log = createLogger('backup');

type Report = TaskContext['report'];

export interface BackupTarget {
  /** The backup set's name: it goes into the snapshot id. */
  set: string;
  host: { id: string; name: string };
  engine: Engine;
  /** An open backend; runBackup checks its marker, and does not close it. */
  backend: RepositoryBackend;
  sources: SourceSpec[];
  compression: 'zstd' | 'gzip';
  /** What the manifest says, and how the pipeline encrypts. */
  encryption: { kind: EncryptionKind; spec: EncryptionSpec };
  stopContainers: boolean;
  tags: string[];
  note?: string;
  /** The built-in local repository is initialised on first use (a new user never sets it up). */
  initIfEmpty?: boolean;
  /**
   * The direct data path: the host's agent reads one source and writes its objects itself
   * (agent/direct-backup.ts); null when it cannot (no agent, a repository it cannot reach). The
   * manifest is still written here, last, after every object is confirmed.
   */
  direct?: (req: DirectSourceBackup, report: Report, signal: AbortSignal) => Promise<{ source: ManifestSource; indexBytes?: number } | null>;
  /**
   * Where this process keeps GNU tar's snapshot files (the agent's state, levels.ts): with it, and
   * pipes to the engine's helpers, sources that ask for incremental levels get them; without, a
   * full copy (said in the log).
   */
  levels?: Levels;
}

/** One source for the direct path: what copySource needs besides the engine and the repository. */
export interface DirectSourceBackup {
  snapshotId: string;
  name: string;
  index: number;
  count: number;
  spec: SourceSpec;
  compression: 'zstd' | 'gzip';
  /** The set's encryption: the agent encrypts what it uploads (recipients are public keys; a passphrase travels like the repository's credentials). */
  encryption: BackupTarget['encryption'];
  sizeHint?: number | undefined;
}

export interface RunBackupOptions {
  signal?: AbortSignal;
  report?: Report;
  /** The clock (snapshot id, times in the manifest): injected by as-of tests. */
  now?: () => Date;
  random?: () => number;
  toolVersion?: string;
  /** Chunk size for the pipeline (tests, bench). */
  chunkBytes?: number;
  /** The snapshot id and its time, when the caller made them first (an operation knows its snapshot from the start). */
  snapshotId?: string;
  startedAt?: Date;
  /** Every pipeline progress report of each source; tests use it to cut or cancel mid-stream. */
  onSourceProgress?: (source: string, progress: PipelineProgress) => void;
  /** The writer's key: the manifest is signed with it (signing/). Without one it is written unsigned. */
  signer?: ManifestSigner;
}

export interface BackupOutcome {
  manifest: Manifest;
  manifestKey: string;
}

/** The lock a backup of one set holds: two backups of one set never run at once on one repository. */
export function backupLockName(set: string): string {
  const name = `set-${set}`;
  return name.length <= 64 ? name : `set-${createHash('sha256').update(set).digest('hex').slice(0, 32)}`;
}

export async function runBackup(target: BackupTarget, opts: RunBackupOptions = {}): Promise<BackupOutcome> {
  const now = opts.now ?? (() => new Date());
  const report: Report = opts.report ?? (() => undefined);
  const logLine = (level: 'info' | 'warn' | 'error', message: string) => {
    // With a task context the line reaches the user as a task event; the app log gets it at debug.
    if (opts.report) log.debug(message);
    else (level === 'info' ? log.info : level === 'warn' ? log.warn : log.error)(message);
    report({ type: 'log', level, message, ts: new Date().toISOString() });
  };
  const { backend, engine } = target;
  if (!target.sources.length) throw new RpcError('INVALID_INPUT', 'A backup needs at least one source.');
  const names = sourceNames(target.sources);

  // Our own controller: the caller's cancel, or a lost lock, aborts everything beneath.
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) throw new RpcError('CANCELLED', 'The backup was cancelled before it started.');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;
  let lockLost: unknown;

  // Volume sizes (for fractions and ETAs) are asked for while the repository is opened and locked.
  const sizesPromise = target.sources.some((s) => s.kind === 'volume') ? volumeSizes(engine, signal) : Promise.resolve(new Map<string, number>());
  await (target.initIfEmpty ? openOrInitRepository : openRepository)(backend, { signal });
  const started = opts.startedAt ?? now();
  const id = opts.snapshotId ?? makeSnapshotId(target.set, { now: started, random: opts.random });
  let lock: RepositoryLock | undefined;
  const written: Written = { keys: [], indexBytes: new Map() };
  const indexSizes = written.indexBytes;
  try {
    lock = await acquireLock(backend, backupLockName(target.set), { purpose: `backup ${id}`, signal });
    lock.keepAlive((e) => {
      lockLost = e;
      controller.abort(e);
    });
    logLine('info', `Backing up ${target.sources.length} source(s) of ${target.host.name} to ${backend.location} as ${id}`);
    const sizes = await sizesPromise;

    const sources: ManifestSource[] = [];
    for (const [i, spec] of target.sources.entries()) {
      const name = names[i]!;
      // Step "copy" of this source begins (the operation's journal follows these reports).
      report({ type: 'progress', fraction: i / target.sources.length, message: `${name} (${i + 1}/${target.sources.length}): starting`, step: 'copy', source: name });
      const ctx: SourceContext = {
        target,
        id,
        name,
        index: i,
        count: target.sources.length,
        signal,
        now,
        report,
        logLine,
        written,
        sizeHint: spec.kind === 'volume' ? sizes.get(spec.volume) : undefined,
        chunkBytes: opts.chunkBytes,
        onProgress: opts.onSourceProgress,
      };
      // Directly by the host's agent when it has one (the containers, if asked, stopped and started
      // again from here around its copy), else here.
      const copy = async (): Promise<ManifestSource> => {
        const req = { snapshotId: id, name, index: i, count: target.sources.length, spec, compression: target.compression, encryption: target.encryption, sizeHint: ctx.sizeHint };
        const direct = target.direct ? await target.direct(req, report, signal) : null;
        if (!direct) return copySource(spec, ctx);
        logLine('info', `${name}: copied directly by the agent on ${target.host.name}`);
        if (direct.source.indexKey && direct.indexBytes !== undefined) indexSizes.set(direct.source.indexKey, direct.indexBytes);
        return direct.source;
      };
      sources.push(await backupSource(spec, ctx, copy));
    }

    // Every object confirmed before the manifest makes the snapshot exist.
    report({ type: 'progress', fraction: 1, message: 'Checking the objects and writing the manifest', step: 'manifest' });
    for (const s of sources) {
      await confirm(backend, s.objectKey, s.storedBytes, signal);
      if (s.indexKey) await confirm(backend, s.indexKey, indexSizes.get(s.indexKey), signal);
    }
    const unsigned: Manifest = {
      format: 'hindsight/1',
      id,
      set: target.set,
      sourceHost: { id: target.host.id, name: target.host.name },
      startedAt: started.toISOString(),
      completedAt: now().toISOString(),
      tags: target.tags,
      ...(target.note ? { note: target.note } : {}),
      toolVersion: opts.toolVersion ?? 'hindsight',
      sources,
    };
    const manifest = opts.signer ? signManifest(unsigned, opts.signer) : unsigned;
    if (!opts.signer) logLine('warn', `Snapshot ${id} is written unsigned (no writer key): consoles will refuse it unless accepted by hand.`);
    const key = manifestKey(id);
    if (signal.aborted) throw signal.reason;
    await writeJsonObject(backend, key, manifest, { signal });
    // Its summary into the catalog (catalog.ts): best effort, a missing one is rebuilt from the manifest.
    await recordInCatalog(backend, catalogEntryOf({ id, set: target.set, time: (parseSnapshotId(id)?.time ?? started).toISOString(), manifestKey: key }, manifest));
    const raw = sources.reduce((a, s) => a + s.rawBytes, 0);
    const stored = sources.reduce((a, s) => a + s.storedBytes, 0);
    logLine('info', `Snapshot ${id} complete: ${formatBytes(raw)} read, ${formatBytes(stored)} stored (manifest ${key}).`);
    report({ type: 'progress', fraction: 1, message: `Snapshot ${id} complete`, bytesDone: raw, bytesTotal: raw, step: 'manifest' });
    return { manifest, manifestKey: key };
  } catch (e) {
    const cancelled = opts.signal?.aborted === true;
    const error = lockLost
      ? new RpcError('CONFLICT', `The backup lost its lock on ${backend.location}; stopped.`, lockLost instanceof Error ? lockLost.message : String(lockLost))
      : cancelled
        ? new RpcError('CANCELLED', `The backup ${id} was cancelled; nothing of it was kept.`)
        : e;
    logLine(cancelled ? 'warn' : 'error', `Backup ${id} ${cancelled ? 'cancelled' : `failed: ${e instanceof Error ? e.message : String(e)}`}; removing what was uploaded.`);
    await removeSnapshotObjects(backend, id, written, logLine);
    throw error;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await lock?.release().catch((e: unknown) => log.warn(`releasing the backup lock on ${backend.location} failed`, e));
  }
}

/**
 * One source of a snapshot on its own (the agent's side of the direct path): read, guard, index,
 * compress and write its objects; no manifest, no lock (the console's backup holds them).
 */
export async function backupOneSource(
  target: BackupTarget,
  p: { snapshotId: string; name: string; index: number; count: number; spec: SourceSpec; sizeHint?: number | undefined; signal: AbortSignal; report: Report; now?: () => Date },
): Promise<{ source: ManifestSource; indexBytes?: number }> {
  const written: Written = { keys: [], indexBytes: new Map() };
  const logLine = (level: 'info' | 'warn' | 'error', message: string) => p.report({ type: 'log', level, message, ts: new Date().toISOString() });
  try {
    const source = await copySource(p.spec, { target, id: p.snapshotId, name: p.name, index: p.index, count: p.count, signal: p.signal, now: p.now ?? (() => new Date()), report: p.report, logLine, written, sizeHint: p.sizeHint });
    const indexBytes = source.indexKey ? written.indexBytes.get(source.indexKey) : undefined;
    return { source, ...(indexBytes !== undefined ? { indexBytes } : {}) };
  } catch (e) {
    for (const key of written.keys) await target.backend.deleteObject(key).catch(() => undefined);
    throw e;
  }
}

/** Copies one source (`copy`: here or by the agent), with its volume's users stopped around it if the set says so. */
async function backupSource(spec: SourceSpec, ctx: SourceContext, copy: () => Promise<ManifestSource>): Promise<ManifestSource> {
  const { target, signal } = ctx;
  if (spec.kind === 'volume' && target.stopContainers) {
    const saved: SavedUsers = await stopUsers(target.engine, spec.volume, { signal });
    const stopped = saved.users.filter((u) => u.state !== 'stopped').map((u) => u.name);
    if (stopped.length) ctx.logLine('info', `${ctx.name}: stopped ${stopped.join(', ')} for the copy`);
    try {
      return await copy();
    } finally {
      // Whatever happened, cancellation included: not tied to the signal.
      try {
        const outcome = await restartUsers(target.engine, saved);
        if (outcome.restored.length) ctx.logLine('info', `${ctx.name}: started ${outcome.restored.join(', ')} again`);
      } catch (e) {
        ctx.logLine('error', `${ctx.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return copy();
}

/** The object must be there, whole: its size is what the pipeline counted. */
async function confirm(backend: RepositoryBackend, key: string, size: number | undefined, signal: AbortSignal): Promise<void> {
  const st = await backend.stat(key, { signal });
  if (!st) throw new RpcError('INTERNAL', `${backend.location}: ${key} is missing right after its upload; the snapshot was not recorded.`);
  if (size !== undefined && st.size !== size) {
    throw new RpcError('INTERNAL', `${backend.location}: ${key} holds ${st.size} bytes where ${size} were written; the snapshot was not recorded.`);
  }
}

/**
 * Volume sizes from the engine's disk usage report (`docker system df -v`), for progress fractions
 * and ETAs. Best effort: a slow or failing report just means no ETA.
 */
async function volumeSizes(engine: Engine, signal: AbortSignal): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(5_000)]);
    // Engines since API 1.42 limit the work to volumes; older ones ignore the parameter.
    const df = await dial<{ Volumes?: Array<{ Name: string; UsageData?: { Size?: number } | null }> | null }>(engine.docker, '/system/df', {
      query: { type: 'volume' },
      signal: timeout,
    });
    for (const v of df.Volumes ?? []) if (v.UsageData?.Size && v.UsageData.Size > 0) out.set(v.Name, v.UsageData.Size);
  } catch (e) {
    log.debug(`no volume sizes from ${engine.name}`, e instanceof Error ? e.message : e);
  }
  return out;
}

/** Deletes every object of an unfinished snapshot (data and index); never throws. */
export async function removeSnapshotObjects(
  backend: RepositoryBackend,
  id: string,
  written: Written,
  logLine: (level: 'info' | 'warn' | 'error', message: string) => void,
): Promise<void> {
  const signal = AbortSignal.timeout(60_000);
  const keys = new Set(written.keys);
  for (const prefix of [dataPrefix(id), `${INDEX_PREFIX}${id}/`]) {
    try {
      for await (const o of backend.list(prefix, { signal })) keys.add(o.key);
    } catch (e) {
      logLine('warn', `Could not list ${prefix} on ${backend.location} to clean up: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let removed = 0;
  for (const key of keys) {
    try {
      if (await backend.stat(key, { signal })) {
        await backend.deleteObject(key, { signal });
        removed++;
      }
    } catch (e) {
      logLine('warn', `Could not remove ${key} from ${backend.location}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (removed) logLine('info', `Removed ${removed} object(s) of the unfinished snapshot ${id}.`);
}
