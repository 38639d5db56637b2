/**
 * Compression stages: zstd (Node ≥ 22.15 has it in zlib, and so does Electron's Node) or gzip.
 * Both run in libuv's thread pool, so they overlap with hashing and encryption on the main thread.
 *
 * Output is what the standard tools read: `zstd -d` / `gzip -d` open a stored object directly.
 * zstd frames carry a content checksum (like the CLI's default), so corruption is caught by the
 * decompressor even before the sha256 of the whole object is compared. A decompressor's errors
 * are turned into IntegrityErrors by runPipeline, which knows which stage failed.
 */
import { constants, createGunzip, createGzip, createZstdCompress, createZstdDecompress } from 'node:zlib';
import { PassThrough, type Duplex } from 'node:stream';
import type { BufferPool } from './buffer-pool.js';
import type { CompressionSpec } from './types.js';

/**
 * zlib's default output chunk is 16 KiB; larger chunks mean fewer trips through the thread pool
 * and through every later stage (see coalescer.ts for the figures). zlib streams keep Node's
 * default highWaterMark (64 KiB since Node 22), so each side holds about one chunk.
 *
 * 256 KiB rather than 1 MiB: zstd alone is faster on 1 MiB chunks, but inside a whole pipeline
 * (32 KiB chunks in, coalesced) both cost the same CPU (512 MiB: 2.6–3.5 s vs 3.2–4.1 s), and
 * 256 KiB keeps a quarter of the bytes in flight — which the garbage collector notices: before
 * the coalescer recycled its buffers, 1 MiB runs over SSH fell into storms of mark-compacts
 * far more often (see buffer-pool.ts and docs/walkthrough/performance.md).
 */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * Where the data does not cross an SSH tunnel — the agent, whose engine is on its host — larger
 * chunks: every chunk costs a trip through the thread pool and a turn of every stage, and with no
 * tunnel to pace it that per-chunk cost is what limits a run. Measured in the agent's path on
 * 1 GiB (bench/profile-backup.ts --chunk): backup into a folder 6.6–6.8 s with 256 KiB, 5.4–5.7 s
 * with 1 MiB, 4.9–5.0 s with 4 MiB; restore from the lab's S3 7.3 / 6.7 / 6.25 s; peak RSS of
 * the process 258 / 266 / 300 MiB.
 */
export const LOCAL_CHUNK_BYTES = 4 * 1024 * 1024;

export const DEFAULT_ZSTD_LEVEL = 3;
export const DEFAULT_GZIP_LEVEL = 6;

function level(value: number | undefined, fallback: number, min: number, max: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${what} level must be an integer from ${min} to ${max}, not ${v}.`);
  return v;
}

/**
 * `pool`: the coalescer's BufferPool (buffer-pool.ts) — each input chunk is reported consumed
 * once zlib's write callback says the library has taken it in, so its buffer can be used again.
 */
export function createCompressor(spec: CompressionSpec, chunkBytes = DEFAULT_CHUNK_BYTES, pool?: BufferPool): Duplex {
  const compressor = makeCompressor(spec, chunkBytes);
  if (pool && spec.kind !== 'none') reportConsumed(compressor, pool);
  return compressor;
}

function makeCompressor(spec: CompressionSpec, chunkBytes: number): Duplex {
  switch (spec.kind) {
    case 'zstd':
      return createZstdCompress({
        // Room for incompressible input plus framing: one thread-pool job per chunk, not two.
        chunkSize: chunkBytes + 64 * 1024,
        params: {
          [constants.ZSTD_c_compressionLevel]: level(spec.level, DEFAULT_ZSTD_LEVEL, 1, 19, 'zstd'),
          [constants.ZSTD_c_checksumFlag]: 1,
        },
      });
    case 'gzip':
      return createGzip({ chunkSize: chunkBytes + 64 * 1024, level: level(spec.level, DEFAULT_GZIP_LEVEL, 1, 9, 'gzip') });
    case 'none':
      return new PassThrough();
  }
}

/**
 * zlib calls a chunk's _transform callback only after the library consumed all of its input
 * (node:zlib processCallback: `this.buffer = null; this.cb()`), and both zstd and deflate copy
 * input they keep into their own window — so from then on the chunk's memory may be reused.
 */
function reportConsumed(compressor: Duplex, pool: BufferPool): void {
  const z = compressor as Duplex & { _transform(chunk: Buffer, enc: BufferEncoding, cb: (error?: Error | null) => void): void };
  const transform = z._transform.bind(z);
  z._transform = (chunk, enc, cb) =>
    transform(chunk, enc, (error) => {
      if (!error) pool.consumed(chunk);
      cb(error);
    });
}

/**
 * For zstd, put a ZstdFrameCheck (zstd-frames.ts) in front: Node's zstd decompressor ends quietly
 * on a stream cut inside a frame. runPipeline does.
 */
export function createDecompressor(spec: CompressionSpec, chunkBytes = DEFAULT_CHUNK_BYTES, pool?: BufferPool): Duplex {
  const decompressor = makeDecompressor(spec, chunkBytes);
  if (pool && spec.kind !== 'none') reportConsumed(decompressor, pool);
  return decompressor;
}

function makeDecompressor(spec: CompressionSpec, chunkBytes: number): Duplex {
  switch (spec.kind) {
    case 'zstd':
      return createZstdDecompress({ chunkSize: chunkBytes });
    case 'gzip':
      return createGunzip({ chunkSize: chunkBytes });
    case 'none':
      return new PassThrough();
  }
}
