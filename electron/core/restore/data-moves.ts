/**
 * The data moves of a restore, each one streaming: snapshot object → pipeline (stored hash, decrypt,
 * decompress, raw hash) → tar guard → volume sink / database client; target → zstd file (the safety
 * copy) and back (the rollback). Plus the target inventory the planner needs.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { RpcError } from '../../../shared/contract/errors.js';
import type { ManifestSource } from '../../../shared/contract/snapshots.js';
import type { Engine } from '../docker/engine.js';
import { TarGuard, createDecompressor, runPipeline, type EncryptionSpec, type PipelineProgress, type TarSummary } from '../pipeline/index.js';
import type { RepositoryBackend } from '../repository/index.js';
import { SOURCE_MOUNT, createHelper, pickHelperImage, removeHelper } from '../sources/helper.js';
import { loadPostgresDump, openPostgresDump, openVolumeTar, writeVolumeTar } from '../sources/index.js';
import type { TargetInventory } from './planner.js';

export async function targetInventory(engine: Engine, signal?: AbortSignal): Promise<TargetInventory> {
  await engine.connect();
  const [containers, volumes] = await Promise.all([
    engine.docker.listContainers({ all: true, abortSignal: signal } as object),
    engine.docker.listVolumes({ abortSignal: signal } as object),
  ]);
  return {
    volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, sizeBytes: v.UsageData?.Size && v.UsageData.Size >= 0 ? v.UsageData.Size : null })),
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
  decryption?: { passphrase?: string | undefined; identities?: string[] | undefined } | undefined;
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
}

export interface RestoreOneResult {
  rawSha256: string;
  storedSha256: string;
  rawBytes: number;
  storedBytes: number;
  tar?: TarSummary;
}

/** One source into its target, checked against the manifest by the pipeline as it streams. */
export async function restoreOne(input: RestoreOneInput): Promise<RestoreOneResult> {
  const { backend, engine, src, target, signal } = input;
  const encryption = encryptionFor(src, input.decryption);
  const source = await backend.getObject(src.objectKey, { signal });
  const expected = { storedBytes: src.storedBytes, storedSha256: src.storedSha256, rawBytes: src.rawBytes, rawSha256: src.rawSha256 };
  const common = { direction: 'restore' as const, source, compression: { kind: src.compression }, encryption, expected, ...(signal ? { signal } : {}), ...(input.onProgress ? { onProgress: input.onProgress } : {}) };
  if (src.kind === 'volume') {
    const guard = new TarGuard({ policy: 'reject' });
    const r = await runPipeline({ ...common, rawStages: [guard], sink: (tar) => writeVolumeTar({ engine, volume: target, tar, clear: true, ...(signal ? { signal } : {}) }) });
    return { rawSha256: r.rawSha256, storedSha256: r.storedSha256, rawBytes: r.rawBytes, storedBytes: r.storedBytes, tar: guard.summary };
  }
  if (src.kind === 'postgres') {
    const mode = src.format === 'sql' ? ('dumpall' as const) : ('database' as const);
    const r = await runPipeline({
      ...common,
      sink: (stream) =>
        loadPostgresDump({ engine, container: target, input: stream, mode, ...(mode === 'database' ? { database: src.origin.database ?? 'postgres' } : {}), ...(signal ? { signal } : {}) }),
    });
    return { rawSha256: r.rawSha256, storedSha256: r.storedSha256, rawBytes: r.rawBytes, storedBytes: r.storedBytes };
  }
  throw new RpcError('INVALID_INPUT', `Restoring a ${src.kind} source is not supported by this version.`);
}

/** Copies what a target holds now to a local zstd file (volume: tar; database: pg_dumpall). Returns the file. */
export async function makeSafetyCopy(opts: { engine: Engine; kind: 'volume' | 'postgres'; target: string; dir: string; source: string; signal?: AbortSignal }): Promise<string> {
  const { engine, kind, target, dir, signal } = opts;
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${opts.source}.${kind === 'volume' ? 'tar' : 'sql'}.zst`);
  const partial = `${file}.partial`;
  let closed: Promise<void> | undefined;
  try {
    let stream;
    if (kind === 'volume') {
      const src = await openVolumeTar({ engine, volume: target, ...(signal ? { signal } : {}) });
      closed = src.closed;
      stream = src.stream;
    } else {
      stream = (await openPostgresDump({ engine, container: target, mode: 'dumpall', ...(signal ? { signal } : {}) })).stream;
    }
    await runPipeline({
      direction: 'backup',
      source: stream,
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

/** Puts a safety copy back: clear + extract (volume) or load the dumpall (database). Never tied to a signal. */
export async function restoreSafetyCopy(opts: { engine: Engine; kind: 'volume' | 'postgres'; target: string; file: string }): Promise<void> {
  const { engine, kind, target, file } = opts;
  const read = fs.createReadStream(file);
  const decoded = read.pipe(createDecompressor({ kind: 'zstd' }));
  read.once('error', (e) => decoded.destroy(e));
  if (kind === 'volume') {
    await writeVolumeTar({ engine, volume: target, tar: decoded, clear: true });
  } else {
    await loadPostgresDump({ engine, container: target, input: decoded, mode: 'dumpall' });
  }
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
 * that mounts it read-only. undefined when it cannot be told (no sh/df/du in the helper image…).
 */
export async function volumeSpace(engine: Engine, volume: string, signal?: AbortSignal): Promise<VolumeSpace | undefined> {
  const image = await pickHelperImage(engine, volume, signal);
  const helper = await createHelper(engine, {
    purpose: 'volume-source',
    image,
    volume,
    target: SOURCE_MOUNT,
    readOnly: true,
    script: `df -Pk ${SOURCE_MOUNT} | tail -n 1; du -sk ${SOURCE_MOUNT}`,
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
    const used = Number(du?.[0]);
    if (!Number.isFinite(avail) || !Number.isFinite(used)) return undefined;
    return { availableBytes: avail * 1024, usedBytes: used * 1024 };
  } finally {
    await removeHelper(engine, helper.id);
  }
}
