/**
 * The data moves of a restore, each one streaming: snapshot object → pipeline (stored hash, decrypt,
 * decompress, raw hash) → tar guard → volume sink / database client; target → zstd file (the safety
 * copy) and back (the rollback). Plus the target inventory the planner needs.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';
import { isLaterLevel } from '../../../shared/levels.js';
import type { PlanTarget } from '../../../shared/contract/restore.js';
import type { Manifest, ManifestSource } from '../../../shared/contract/snapshots.js';
import { chunkBytesFor, type Engine } from '../docker/engine.js';
import { createDecompressor, runPipeline, type EncryptionSpec, type PipelineProgress, type PipelineResult, type TarSummary } from '../pipeline/index.js';
import type { RepositoryBackend } from '../repository/index.js';
import { SOURCE_MOUNT, createHelper, pickHelperImage, removeHelper, removeHelpersOf } from '../sources/helper.js';
import { removeDirectory } from '../sources/index.js';
import type { HolesResult } from '../sources/holes.js';
import { kindOf } from '../kinds/registry.js';
import { dropNewDatabases } from './db-state.js';
import { restoreLevels } from './restore-levels.js';
import { hostCopyVolume, putBackHostCopy } from './host-safety.js';
import { agentCopyOf, putBackAgentCopy } from './agent-safety.js';
import type { JournalTarget } from './journal.js';
import type { TargetInventory } from './planner.js';

export async function targetInventory(engine: Engine, signal?: AbortSignal): Promise<TargetInventory> {
  await engine.connect();
  const [containers, volumes] = await Promise.all([
    engine.docker.listContainers({ all: true, abortSignal: signal } as object),
    engine.docker.listVolumes({ abortSignal: signal } as object),
  ]);
  return {
    volumes: (volumes.Volumes ?? []).map((v) => ({
      name: v.Name,
      sizeBytes: v.UsageData?.Size && v.UsageData.Size >= 0 ? v.UsageData.Size : null,
      dataRoot: v.Driver === 'local' && !v.Options?.type && !v.Options?.device,
    })),
    containers: containers
      .filter((c) => c.Labels?.['org.hindsight.helper'] !== 'true')
      .map((c) => ({
        name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
        state: c.State,
        image: c.Image,
        volumes: (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!),
      })),
  };
}

export function encryptionFor(src: ManifestSource, decryption: { passphrase?: string | undefined; identities?: string[] | undefined } | undefined): EncryptionSpec {
  if (src.encryption === 'none') return { kind: 'none' };
  if (src.encryption === 'age-passphrase') {
    if (!decryption?.passphrase) throw new RpcError('INVALID_INPUT', `Source ${src.name} is encrypted with a passphrase; give it to restore.`);
    return { kind: 'passphrase', passphrase: decryption.passphrase };
  }
  if (!decryption?.identities?.length) throw new RpcError('INVALID_INPUT', `Source ${src.name} is encrypted to age recipients; give an identity (AGE-SECRET-KEY-1…) to restore.`);
  return { kind: 'recipients', identities: decryption.identities };
}

export interface RestoreOneInput {
  backend: RepositoryBackend;
  engine: Engine;
  src: ManifestSource;
  target: string;
  /** Directory sources: the directory inside the target container (the plan's, which the user may have changed). */
  directory?: string | undefined;
  decryption?: { passphrase?: string | undefined; identities?: string[] | undefined } | undefined;
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
  /** The pipeline's chunk size (run-pipeline.ts); its default unless given. */
  chunkBytes?: number | undefined;
  /**
   * `src`'s stored object, opened already (openStoredObject): the agent starts reading its first
   * parts while the console's pre-flight runs (agent/direct-restore.ts).
   */
  opened?: Readable | undefined;
  /** Bytes the data may be decoded ahead of a sink that has not begun to read (runPipeline's `sinkBuffer`). */
  sinkBuffer?: number | undefined;
}

export interface RestoreOneResult {
  /** Only from a restore that had no stored sha256 to check (run-pipeline.ts), or an older agent. */
  rawSha256?: string;
  storedSha256: string;
  rawBytes: number;
  storedBytes: number;
  tar?: TarSummary;
  /** Volumes: files made sparse again after extraction (or why not). */
  holes?: HolesResult;
  /** An incremental chain restored: the target's tree afterwards (restore-levels.ts). */
  tree?: { entries: number; digest: string };
}

/** Where a stored object is and what checks it: a source's own, or a level of its chain. */
export type StoredObjectRef = Pick<ManifestSource, 'objectKey' | 'compression' | 'encryption' | 'rawBytes' | 'storedBytes' | 'rawSha256' | 'storedSha256'>;

/**
 * One stored object through the restore pipeline (stored hash, decrypt, decompress, raw hash — each
 * checked against what the manifest records) into `sink`. Every restore of data goes through here:
 * a source's object, and each level of an incremental chain (restore-levels.ts).
 */
/** A stored object's bytes: the recorded size lets a backend read a large one in parallel parts (S3: ranged-reader.ts). */
export function openStoredObject(backend: RepositoryBackend, obj: StoredObjectRef, signal?: AbortSignal): Promise<Readable> {
  return backend.getObject(obj.objectKey, { ...(signal ? { signal } : {}), expectedSize: obj.storedBytes });
}

export async function restoreObject<T>(input: RestoreOneInput, obj: StoredObjectRef, sink: (stream: Readable) => Promise<T>, onProgress = input.onProgress) {
  const { backend, engine, signal } = input;
  const encryption = encryptionFor({ ...input.src, encryption: obj.encryption }, input.decryption);
  const source = obj === input.src && input.opened ? input.opened : await openStoredObject(backend, obj, signal);
  return runPipeline({
    direction: 'restore',
    source,
    compression: { kind: obj.compression },
    encryption,
    expected: { storedBytes: obj.storedBytes, storedSha256: obj.storedSha256, rawBytes: obj.rawBytes, rawSha256: obj.rawSha256 },
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onProgress } : {}),
    ...chunkBytesFor(engine, input.chunkBytes),
    ...(input.sinkBuffer ? { sinkBuffer: input.sinkBuffer } : {}),
    sink,
  });
}

/** A whole source's restore result: the pipeline's checksums and what its sink counted. */
export function restoredOf(r: PipelineResult & { sinkResult?: { tar?: TarSummary; holes?: HolesResult } | undefined }): RestoreOneResult {
  return {
    ...movedOf(r),
    ...(r.sinkResult?.tar ? { tar: r.sinkResult.tar } : {}),
    ...(r.sinkResult?.holes ? { holes: r.sinkResult.holes } : {}),
  };
}

/** The checksums and sizes a restore result reports, from the pipeline's. */
export function movedOf(r: PipelineResult): Pick<RestoreOneResult, 'rawSha256' | 'storedSha256' | 'rawBytes' | 'storedBytes'> {
  return { ...(r.rawSha256 !== undefined ? { rawSha256: r.rawSha256 } : {}), storedSha256: r.storedSha256, rawBytes: r.rawBytes, storedBytes: r.storedBytes };
}

/** One source into its target, checked against the manifest by the pipeline as it streams. */
export async function restoreOne(input: RestoreOneInput): Promise<RestoreOneResult> {
  // A level of an incremental chain: every level in order (restore-levels.ts). A level 0 is a
  // whole archive: restored as any other (its directory listings dropped by the guard).
  if (isLaterLevel(input.src)) return restoreLevels(input);
  const { engine, src, target, signal } = input;
  // One pipeline for every kind; only the sink differs, and the kind's module owns it (kinds/):
  // tar sinks guard the archive right in front of the extractor and say what they counted.
  const { load } = kindOf(src.kind).restoring;
  return restoredOf(await restoreObject(input, src, (stream) => load({ engine, src, target, path: input.directory, stream, ...(signal ? { signal } : {}) })));
}

/** The directory a directory source restores into: where it came from, inside the target container. */
export function directoryOf(src: Pick<ManifestSource, 'name' | 'origin'>): string {
  if (!src.origin.path) throw new RpcError('INVALID_INPUT', `Source ${src.name}: the manifest names no directory path.`);
  return src.origin.path;
}

export type SafetyKind = JournalTarget['kind'];

/** Copies what a target holds now to a local zstd file (volume/directory: tar; database: a dump of all). Returns the file. */
export async function makeSafetyCopy(opts: { engine: Engine; kind: SafetyKind; target: string; path?: string | undefined; dir: string; source: string; signal?: AbortSignal }): Promise<string> {
  const { engine, kind, target, dir, signal } = opts;
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const { restoring } = kindOf(kind);
  const file = path.join(dir, `${opts.source}.${restoring.copyFormat}.zst`);
  const partial = `${file}.partial`;
  let closed: Promise<void> | undefined;
  try {
    const current = await restoring.openCurrent({ engine, target, path: opts.path, ...(signal ? { signal } : {}) });
    closed = current.closed;
    await runPipeline({
      direction: 'backup',
      source: current.stream,
      compression: { kind: 'zstd', level: 1 },
      encryption: { kind: 'none' },
      sink: fs.createWriteStream(partial, { mode: 0o600 }),
      ...(signal ? { signal } : {}),
    });
    await fsp.rename(partial, file);
    return file;
  } catch (e) {
    await fsp.rm(partial, { force: true });
    throw e;
  } finally {
    await closed;
  }
}

/** Puts a safety copy back: clear + extract (volume, directory) or load the dump (database). Never tied to a signal. */
export async function restoreSafetyCopy(opts: { engine: Engine; kind: SafetyKind; target: string; path?: string | undefined; file: string }): Promise<void> {
  const { engine, kind, target, file } = opts;
  const read = fs.createReadStream(file);
  const decoded = read.pipe(createDecompressor({ kind: 'zstd' }));
  read.once('error', (e) => decoded.destroy(e));
  await kindOf(kind).restoring.putBack({ engine, target, path: opts.path, stream: decoded });
}

/** The journal record of one planned target (directory: with the path inside the container). */
export function journalTargetOf(t: PlanTarget, manifest: Manifest): JournalTarget {
  const src = manifest.sources.find((s) => s.name === t.source)!;
  return {
    source: t.source,
    kind: t.kind as JournalTarget['kind'],
    target: t.target,
    ...(t.kind === 'directory' ? { path: t.path ?? directoryOf(src) } : {}),
    created: t.create,
    users: [],
    touched: false,
  };
}

/**
 * The safety copy of one journal target, and for a database the list of databases it holds now
 * (recorded on the target, so a rollback — in this process or after a crash — can drop databases
 * the failed restore created). Returns the file; undefined for a directory that does not exist
 * yet in the target container (then marked `created`: a rollback removes it).
 */
export async function safetyCopyOf(engine: Engine, t: JournalTarget, dir: string, signal?: AbortSignal): Promise<string | undefined> {
  const databases = kindOf(t.kind).restoring.databases;
  if (databases) t.databasesBefore = await databases.list(engine, t.target, signal);
  try {
    return await makeSafetyCopy({ engine, kind: t.kind, target: t.target, path: t.path, dir, source: t.source, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (t.kind !== 'directory' || !RpcError.is(e) || e.code !== 'NOT_FOUND') throw e;
    t.created = true;
    return undefined;
  }
}

/**
 * Before a rollback removes or rewrites a volume: Hindsight's own helpers still mounting it (a
 * killed process leaves its sink helper behind, which makes the engine refuse with 409 "volume is
 * in use") are removed — by their labels, never any other container. `writersOnly` (putting a
 * safety copy back into a volume that stays): only sink helpers, since a reader (another
 * operation's backup, say) does not stand in the way. Says what it removed.
 */
export async function freeVolume(engine: Engine, volume: string, writersOnly = false): Promise<string> {
  const removed = await removeHelpersOf(engine, volume, writersOnly ? 'volume-sink' : undefined);
  return removed.length ? ` (after removing the helper container${removed.length > 1 ? 's' : ''} ${removed.join(', ')} left on it)` : '';
}

/** Rollback of a target this operation created: a new volume, or a directory that was not there. */
export async function removeCreated(engine: Engine, t: JournalTarget): Promise<string> {
  if (t.kind === 'directory') {
    await removeDirectory({ engine, container: t.target, path: t.path ?? '' });
    return `removed ${t.path} from ${t.target} (it did not exist before)`;
  }
  const freed = await freeVolume(engine, t.target);
  await removeVolume(engine, t.target);
  return `removed the new volume ${t.target}${freed}`;
}

/** Rollback of one target from its safety copy; says what was done. Never tied to a signal. */
export async function putBack(engine: Engine, t: JournalTarget & { safetyCopy: string }): Promise<string> {
  const freed = t.kind === 'volume' ? await freeVolume(engine, t.target, true) : '';
  // Kept by the host's agent (a database's or directory's copy): it puts it back there, new databases dropped.
  if (agentCopyOf(t.safetyCopy)) return putBackAgentCopy(engine, t);
  const onHost = hostCopyVolume(t.safetyCopy);
  if (onHost) {
    if (!t.safetyCopyImage) throw new RpcError('INTERNAL', `The journal does not say which image made the safety copy ${onHost}.`);
    await putBackHostCopy(engine, { image: t.safetyCopyImage, copy: onHost, target: t.target });
    return `${t.target} put back from its safety copy ${onHost} on ${engine.name}${freed}`;
  }
  await restoreSafetyCopy({ engine, kind: t.kind, target: t.target, path: t.path, file: t.safetyCopy });
  let dropped: string[] = [];
  const databases = kindOf(t.kind).restoring.databases;
  if (databases && t.databasesBefore) dropped = await dropNewDatabases(databases, engine, t.target, t.databasesBefore);
  return `${t.target} put back from its safety copy${dropped.length ? ` (dropped the new database${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')})` : ''}${freed}`;
}

/** Removes a volume this operation created (rollback of a restore into a new volume). */
export async function removeVolume(engine: Engine, name: string): Promise<void> {
  try {
    await engine.docker.getVolume(name).remove({ force: true });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return;
    throw e;
  }
}

export interface VolumeSpace {
  /** Free bytes on the filesystem holding the volume. */
  availableBytes: number;
  /** Bytes the volume's content takes now (freed when it is cleared). */
  usedBytes: number;
}

/** Splits the engine's multiplexed log stream (8-byte frame headers) into stdout text. */
function demuxStdout(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i]!;
    const size = buf.readUInt32BE(i + 4);
    if (kind === 1) out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}

/**
 * Free space for a volume (pre-flight, best effort): `df -Pk` and `du -sk` in a helper container
 * that mounts it read-only — with `usage: false` the `df` only (usedBytes 0). undefined when it
 * cannot be told (no sh/df/du in the helper image…).
 */
export async function volumeSpace(engine: Engine, volume: string, signal?: AbortSignal, opts: { usage?: boolean } = {}): Promise<VolumeSpace | undefined> {
  // `usage: false` for a probe of the data root through any volume, which needs its free space
  // only: no `du` of what may be a volume of millions of files.
  const usage = opts.usage !== false;
  const image = await pickHelperImage(engine, volume, signal);
  const helper = await createHelper(engine, {
    purpose: 'volume-source',
    image,
    volume,
    target: SOURCE_MOUNT,
    readOnly: true,
    script: `df -Pk ${SOURCE_MOUNT} | tail -n 1${usage ? `; du -sk ${SOURCE_MOUNT}` : ''}`,
    ...(signal ? { signal } : {}),
  });
  try {
    const c = engine.docker.getContainer(helper.id);
    await c.start();
    const waited = (await c.wait()) as { StatusCode?: number };
    if (waited.StatusCode !== 0) return undefined;
    const logs = (await c.logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer;
    const lines = demuxStdout(Buffer.isBuffer(logs) ? logs : Buffer.from(String(logs))).trim().split('\n');
    const df = lines[0]?.trim().split(/\s+/);
    const du = lines[1]?.trim().split(/\s+/);
    const avail = Number(df?.[3]);
    const used = usage ? Number(du?.[0]) : 0;
    if (!Number.isFinite(avail) || !Number.isFinite(used)) return undefined;
    return { availableBytes: avail * 1024, usedBytes: used * 1024 };
  } finally {
    await removeHelper(engine, helper.id);
  }
}
