/**
 * A point-in-time archive's data objects (base backup tars, WAL segments) through the one pipeline:
 * stored zstd-compressed with their checksums (which the signed records then carry), and read back
 * checked against them. Never encrypted: the archive is the cluster's own physical copy, kept like
 * its dumps' objects in the repository the user chose.
 */
import type { Readable } from 'node:stream';
import { runPipeline, type PipelineProgress } from '../pipeline/index.js';
import type { RepositoryBackend } from '../repository/index.js';
import type { StoredPitrObject } from './archive-records.js';

/** A raw stream into the repository under `key`; what its record says about it. */
export async function storeStream(backend: RepositoryBackend, key: string, source: Readable, signal?: AbortSignal): Promise<StoredPitrObject> {
  const r = await runPipeline({
    direction: 'backup',
    source,
    sink: (body) => backend.putObject(key, body, signal ? { signal } : {}),
    compression: { kind: 'zstd' },
    encryption: { kind: 'none' },
    ...(signal ? { signal } : {}),
  });
  return { key, compression: 'zstd', rawBytes: r.rawBytes, storedBytes: r.storedBytes, rawSha256: r.rawSha256, storedSha256: r.storedSha256 };
}

/** A stored object through the restore pipeline (checksums against its signed record) into `sink`. */
export async function restoreStored<T>(backend: RepositoryBackend, obj: StoredPitrObject, sink: (s: Readable) => Promise<T>, signal?: AbortSignal, onProgress?: (storedBytes: number) => void): Promise<T> {
  const source = await backend.getObject(obj.key, { ...(signal ? { signal } : {}), expectedSize: obj.storedBytes });
  const r = await runPipeline({
    direction: 'restore',
    source,
    sink,
    compression: { kind: 'zstd' },
    encryption: { kind: 'none' },
    expected: { storedBytes: obj.storedBytes, storedSha256: obj.storedSha256, rawBytes: obj.rawBytes, rawSha256: obj.rawSha256 },
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onProgress: (p: PipelineProgress) => onProgress(p.storedBytes) } : {}),
  });
  return r.sinkResult as T;
}
