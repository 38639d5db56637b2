/**
 * A pass-through stage that counts bytes and computes their sha256, for the manifest (backup) and
 * for verification against it (restore). Chunks go on unchanged — no copy. With `digest: false`
 * it only counts (and checks the count): a restore's raw side, whose bytes the stored side's
 * sha256 proves already (run-pipeline.ts).
 *
 * Verification happens in _flush, before the end of stream is passed on: a mismatch fails this
 * stage, so the stage after it (and the sink) is destroyed with the error and never sees a clean
 * end — an upload is not completed, an extraction is not reported as done.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from './errors.js';
import { sliced } from './scheduling.js';
import type { StreamMeasure } from './types.js';

export interface HashMeterOptions {
  /** Names the stream in messages: "stored", "raw". */
  label: string;
  /** Checked at the end; a difference is an IntegrityError. */
  expected?: { bytes?: number; sha256?: string };
  /** false: count the bytes only (no sha256 in the result, `expected.sha256` ignored). Default true. */
  digest?: boolean;
  highWaterMark?: number;
}

export class HashMeter extends Transform {
  /** Bytes seen so far; live, for progress reports. */
  bytes = 0;
  private readonly hash: Hash | undefined;
  private measured: StreamMeasure | undefined;

  constructor(private readonly opts: HashMeterOptions) {
    super({ highWaterMark: opts.highWaterMark, readableHighWaterMark: opts.highWaterMark });
    this.hash = opts.digest === false ? undefined : createHash('sha256');
  }

  /** The measure, once the stream has ended (undefined before). */
  get result(): StreamMeasure | undefined {
    return this.measured;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    const hash = this.hash;
    if (!hash) {
      cb(null, chunk);
      return;
    }
    // In slices, so the thread pool's finished jobs are not kept waiting (scheduling.ts).
    sliced(
      chunk,
      (part) => hash.update(part),
      (err) => (err ? cb(err) : cb(null, chunk)),
    );
  }

  override _flush(cb: TransformCallback): void {
    const measured: StreamMeasure = { bytes: this.bytes, ...(this.hash ? { sha256: this.hash.digest('hex') } : {}) };
    this.measured = measured;
    const { expected, label } = this.opts;
    if (expected?.bytes !== undefined && expected.bytes !== measured.bytes) {
      cb(new IntegrityError(`The ${label} data is ${measured.bytes} bytes long where ${expected.bytes} were recorded: it is truncated or corrupted.`));
      return;
    }
    if (measured.sha256 !== undefined && expected?.sha256 !== undefined && expected.sha256.toLowerCase() !== measured.sha256) {
      cb(
        new IntegrityError(
          `The ${label} data does not match its recorded checksum: it is corrupted.`,
          `sha256 ${measured.sha256}, expected ${expected.sha256}`,
        ),
      );
      return;
    }
    this.emit('measured', measured);
    cb();
  }
}
