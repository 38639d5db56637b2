/**
 * One pipeline for both directions (ARCHITECTURE §5):
 *
 *   backup:  source → progress → coalesce → [raw stages] → raw hash → compress → encrypt → stored hash → sink
 *   restore: source → progress → coalesce → stored hash✓ → decrypt → decompress → raw count✓ → [raw stages] → sink
 *
 * (✓: checked against the manifest's figures when given; with zstd a frame check sits next to the
 * compressor on both sides, see zstd-frames.ts.) A restore whose stored sha256 is given does not
 * hash the raw side as well: the raw bytes are what deterministic decoding makes of stored bytes
 * that sha256 proved, and the decoders check their own output besides (zstd's content checksum,
 * gzip's CRC-32, age's per-chunk MAC) — the raw count is still checked. Hashing them again cost
 * ~0.8 CPU-seconds per GiB restored (docs/DECISIONS.md). Without the stored sha256 the raw
 * sha256 is computed and checked as before. Every stage is a Node stream joined by
 * stream.pipeline, so backpressure runs end to end and memory stays at a few chunks per stage
 * whatever the size; the AbortSignal reaches every stage, and on any failure every stage — the
 * sink included — is destroyed with the error, so an upload aborts instead of completing.
 *
 * The sink is either a Writable (an exec's stdin, a file) or a function that consumes a Readable
 * and settles when done — the shape of RepositoryBackend.putObject(key, body). Nothing here knows
 * about Docker, SSH or repositories, so the same code can run in a helper container later.
 */
import { PassThrough, Readable, type Duplex, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecryptStage, createEncryptStage } from './age.js';
import { BufferPool } from './buffer-pool.js';
import { Coalescer } from './coalescer.js';
import { Handoff } from './scheduling.js';
import { createCompressor, createDecompressor, DEFAULT_CHUNK_BYTES } from './compression.js';
import { asPipelineError, cancelledError, IntegrityError, isAbortLike } from './errors.js';
import { HashMeter } from './hash-meter.js';
import { ProgressMeter } from './progress-meter.js';
import { ZstdFrameCheck } from './zstd-frames.js';
import type { CompressionSpec, Direction, EncryptionSpec, ExpectedMeasures, PipelineProgress, PipelineResult } from './types.js';

export type PipelineSink<T> = Writable | ((stream: Readable) => Promise<T>);

export interface RunPipelineOptions<T> {
  direction: Direction;
  source: Readable | AsyncIterable<Uint8Array>;
  sink: PipelineSink<T>;
  compression: CompressionSpec;
  encryption: EncryptionSpec;
  signal?: AbortSignal;
  onProgress?: (progress: PipelineProgress) => void;
  /** Restore only: the manifest's figures; any difference fails the run with an IntegrityError. */
  expected?: ExpectedMeasures;
  /** Bytes the source will deliver, for fraction and ETA (restore: defaults to expected.storedBytes). */
  sourceSize?: number;
  /**
   * Extra stages on the raw (tar/dump) side, next to the host: right after the source on backup,
   * right before the sink on restore — e.g. the tar guard.
   */
  rawStages?: Duplex[];
  /**
   * Size of the chunks the stages work on (the source's chunks are gathered to it, the
   * compressors write it): larger is faster, up to ~1 MiB (see coalescer.ts), and each stage
   * holds about one chunk per side, so a run keeps roughly 2 × stages × chunkBytes in flight.
   */
  chunkBytes?: number;
  /** Per-stage buffer threshold; 64 KiB means "one chunk" for chunks that are larger. */
  highWaterMark?: number;
  /**
   * Function sinks: bytes the pipeline may run ahead of a sink that has not begun to read (a
   * restore's data decoded while its target gets ready, agent/direct-restore.ts). Default: the
   * per-stage threshold.
   */
  sinkBuffer?: number;
  progressIntervalMs?: number;
}

export interface RunPipelineResult<T> extends PipelineResult {
  /** What a function sink resolved with (e.g. putObject's answer). */
  sinkResult: T | undefined;
}

const DEFAULT_HWM = 64 * 1024;

interface Stage {
  name: string;
  stream: Duplex;
}

/** A backup's result always has the raw sha256 (the manifest records it). */
export type BackupPipelineResult<T> = RunPipelineResult<T> & { rawSha256: string };

export function runPipeline<T = void>(opts: RunPipelineOptions<T> & { direction: 'backup' }): Promise<BackupPipelineResult<T>>;
export function runPipeline<T = void>(opts: RunPipelineOptions<T>): Promise<RunPipelineResult<T>>;
export async function runPipeline<T = void>(opts: RunPipelineOptions<T>): Promise<RunPipelineResult<T>> {
  const { direction, expected } = opts;
  const hwm = opts.highWaterMark ?? DEFAULT_HWM;
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const started = performance.now();

  // The stored sha256 proves a restore's bytes; the raw side is counted (see above).
  const rawProvenByStored = direction === 'restore' && expected?.storedSha256 !== undefined;
  const raw = new HashMeter({ label: 'restored', highWaterMark: hwm, expected: direction === 'restore' ? pick(expected, 'raw') : undefined, digest: !rawProvenByStored });
  const stored = new HashMeter({ label: 'stored', highWaterMark: hwm, expected: direction === 'restore' ? pick(expected, 'stored') : undefined });
  const progress = new ProgressMeter({
    highWaterMark: hwm,
    total: opts.sourceSize ?? (direction === 'restore' ? expected?.storedBytes : undefined),
    intervalMs: opts.progressIntervalMs,
    reportOnEnd: false,
    onProgress: (p) => opts.onProgress?.({ ...p, direction, rawBytes: raw.bytes, storedBytes: stored.bytes }),
  });

  // Spec errors (an empty passphrase, no identity) throw here, before any data moves; the source,
  // the sink and the caller's raw stages are closed too, so nothing is left hanging.
  let stages: Stage[];
  try {
    stages = buildStages(opts, { progress, raw, stored }, chunkBytes, hwm);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const close = (s: Readable | Writable | Duplex) => {
      s.once('error', () => undefined); // reported by the throw below, not as an 'error' event
      s.destroy(error);
    };
    if (opts.source instanceof Readable) close(opts.source);
    if (typeof opts.sink !== 'function') close(opts.sink);
    for (const s of opts.rawStages ?? []) close(s);
    throw asPipelineError(e, direction);
  }

  // Which stage failed first, to say what a failure means (a zlib error on restore = corruption).
  let firstStageError: { stage: string; error: unknown } | undefined;
  for (const { name, stream } of stages) {
    stream.once('error', (error) => (firstStageError ??= { stage: name, error }));
  }

  // Our own abort, used when a function sink fails: it tears the chain down like a cancel would.
  const internal = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, internal.signal]) : internal.signal;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    internal.abort(error);
  };

  const source = opts.source instanceof Readable ? opts.source : Readable.from(opts.source, { objectMode: false, highWaterMark: hwm });
  const streams = stages.map((s) => s.stream);
  let chain: Promise<void>;
  let sinkDone: Promise<T | undefined>;
  if (typeof opts.sink === 'function') {
    const tail = new PassThrough({ writableHighWaterMark: hwm, readableHighWaterMark: opts.sinkBuffer ?? hwm });
    chain = pipeline([source, ...streams, tail], { signal });
    const consume = opts.sink;
    sinkDone = Promise.resolve()
      .then(() => consume(tail))
      .then((result) => {
        // A sink that settles without reading to the end would leave the chain stalled forever.
        if (!tail.readableEnded) throw new Error('the sink stopped reading before the end of the stream');
        return result;
      });
    sinkDone.catch((e) => {
      if (!tail.destroyed) tail.destroy(e as Error);
      fail(e);
    });
  } else {
    chain = pipeline([source, ...streams, opts.sink], { signal });
    sinkDone = Promise.resolve(undefined);
  }
  chain.catch((e) => {
    if (!internal.signal.aborted) fail(e);
  });

  const [chainOutcome, sinkOutcome] = await Promise.allSettled([chain, sinkDone]);
  if (failure || chainOutcome.status === 'rejected' || sinkOutcome.status === 'rejected') {
    // Whatever broke after a cancel was broken by the cancel.
    if (opts.signal?.aborted) throw cancelledError(direction);
    const error = failure?.error ?? (chainOutcome.status === 'rejected' ? chainOutcome.reason : (sinkOutcome as PromiseRejectedResult).reason);
    throw explain(error, firstStageError, direction, opts.compression);
  }

  const rawMeasure = raw.result;
  const storedMeasure = stored.result;
  if (!rawMeasure || !storedMeasure?.sha256) throw new Error('pipeline ended without measures');
  progress.reportDone();
  return {
    rawBytes: rawMeasure.bytes,
    ...(rawMeasure.sha256 !== undefined ? { rawSha256: rawMeasure.sha256 } : {}),
    storedBytes: storedMeasure.bytes,
    storedSha256: storedMeasure.sha256,
    elapsedMs: performance.now() - started,
    sinkResult: sinkOutcome.status === 'fulfilled' ? sinkOutcome.value : undefined,
  };
}

function buildStages<T>(
  opts: RunPipelineOptions<T>,
  meters: { progress: ProgressMeter; raw: HashMeter; stored: HashMeter },
  chunkBytes: number,
  hwm: number,
): Stage[] {
  const { progress, raw, stored } = meters;
  const rawStages = (opts.rawStages ?? []).map((stream, i) => ({ name: `raw stage ${i + 1}`, stream }));
  const zstd = opts.compression.kind === 'zstd';
  if (opts.direction === 'backup') {
    // Gathered chunks in recycled buffers, given back by the compressor (which copies its input).
    const pool = opts.compression.kind === 'none' ? undefined : new BufferPool(chunkBytes);
    return [
      { name: 'progress', stream: progress },
      { name: 'coalesce', stream: new Coalescer(chunkBytes, pool) },
      ...rawStages,
      { name: 'raw hash', stream: raw },
      { name: 'compress', stream: createCompressor(opts.compression, chunkBytes, pool) },
      { name: 'handoff', stream: new Handoff({ highWaterMark: hwm }) },
      // One frame of data, as the restore side insists; drops the empty frame Node appends.
      ...(zstd ? [{ name: 'zstd frames', stream: new ZstdFrameCheck({ trimTrailing: true, highWaterMark: hwm }) }] : []),
      { name: 'encrypt', stream: createEncryptStage(opts.encryption, hwm) },
      { name: 'stored hash', stream: stored },
    ];
  }
  // Without decryption the decompressor is the first stage that copies its input: it gives the
  // gathered chunks back for reuse, as the compressor does on backup.
  const pool = opts.encryption.kind === 'none' && opts.compression.kind !== 'none' ? new BufferPool(chunkBytes) : undefined;
  return [
    { name: 'progress', stream: progress },
    { name: 'coalesce', stream: new Coalescer(chunkBytes, pool) },
    { name: 'stored hash', stream: stored },
    { name: 'decrypt', stream: createDecryptStage(opts.encryption, hwm) },
    // Node's zstd decompressor does not notice a stream cut inside a frame; this does.
    ...(zstd ? [{ name: 'zstd frames', stream: new ZstdFrameCheck({ highWaterMark: hwm }) }] : []),
    { name: 'decompress', stream: createDecompressor(opts.compression, chunkBytes, pool) },
    { name: 'handoff', stream: new Handoff({ highWaterMark: hwm }) },
    { name: 'raw hash', stream: raw },
    ...rawStages,
  ];
}

function pick(expected: ExpectedMeasures | undefined, side: 'raw' | 'stored'): { bytes?: number; sha256?: string } | undefined {
  if (!expected) return undefined;
  return side === 'raw' ? { bytes: expected.rawBytes, sha256: expected.rawSha256 } : { bytes: expected.storedBytes, sha256: expected.storedSha256 };
}

/** The error to report: the first real one, in the pipeline's terms. */
function explain(
  error: unknown,
  stageError: { stage: string; error: unknown } | undefined,
  direction: Direction,
  compression: CompressionSpec,
): Error {
  // stream.pipeline reports the first error, but an AbortError from our own teardown may mask it.
  const cause = isAbortLike(error) && stageError && !isAbortLike(stageError.error) ? stageError.error : error;
  if (isAbortLike(cause)) return cancelledError(direction);
  if (stageError?.stage === 'decompress' && cause === stageError.error && !(cause instanceof IntegrityError)) {
    return new IntegrityError(`The stored ${compression.kind} stream is corrupted and cannot be decompressed.`, (cause as Error).message);
  }
  return asPipelineError(cause, direction);
}

