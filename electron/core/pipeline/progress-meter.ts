/**
 * A pass-through stage that reports how far a stream has got: bytes, a rate over a sliding window,
 * and an ETA when the total is known.
 *
 * At most one report per `intervalMs` (100 ms: ~10 a second, what the UI's batching expects),
 * plus one final report with done: true. When data stops moving, a heartbeat keeps reporting once
 * a second so the rate visibly falls to zero instead of freezing at its last value.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { ProgressReport } from './types.js';

export interface ProgressMeterOptions {
  onProgress: (report: ProgressReport) => void;
  total?: number;
  intervalMs?: number;
  /** The rate is measured over this much recent time. */
  windowMs?: number;
  /** Report during a stall this often (0: never). */
  heartbeatMs?: number;
  /** Report done: true when the stream ends (default). runPipeline reports it itself, at the very end. */
  reportOnEnd?: boolean;
  /** A monotonic clock in ms; injectable for tests. */
  now?: () => number;
  highWaterMark?: number;
}

interface Sample {
  t: number;
  bytes: number;
}

export class ProgressMeter extends Transform {
  bytes = 0;
  private readonly started: number;
  private lastReport: number;
  private readonly samples: Sample[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly windowMs: number;
  private readonly heartbeatMs: number;

  constructor(private readonly opts: ProgressMeterOptions) {
    super({ highWaterMark: opts.highWaterMark });
    this.now = opts.now ?? (() => performance.now());
    this.intervalMs = opts.intervalMs ?? 100;
    this.windowMs = opts.windowMs ?? 5000;
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.started = this.now();
    this.lastReport = this.started;
    this.samples.push({ t: this.started, bytes: 0 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.now() - this.lastReport >= this.intervalMs) this.report(false);
    this.armHeartbeat();
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.stopHeartbeat();
    if (this.opts.reportOnEnd !== false) this.report(true);
    cb();
  }

  /** The final report, for a caller that knows better when the work is over. */
  reportDone(): void {
    this.stopHeartbeat();
    this.report(true);
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.stopHeartbeat();
    cb(err);
  }

  private report(done: boolean): void {
    const t = this.now();
    this.lastReport = t;
    this.samples.push({ t, bytes: this.bytes });
    // Keep the newest sample at or before the window's start, so the window is always full width.
    while (this.samples.length > 2 && this.samples[1]!.t <= t - this.windowMs) this.samples.shift();
    const oldest = this.samples[0]!;
    const span = (t - oldest.t) / 1000;
    const rate = span > 0 ? (this.bytes - oldest.bytes) / span : 0;
    const total = this.opts.total;
    const known = total !== undefined && total > 0;
    const left = known ? Math.max(0, total - this.bytes) : 0;
    const report: ProgressReport = {
      bytesDone: this.bytes,
      ...(total !== undefined ? { bytesTotal: total } : {}),
      fraction: done ? 1 : known ? Math.min(1, this.bytes / total) : null,
      bytesPerSecond: rate,
      etaSeconds: done ? 0 : known && rate > 0 ? left / rate : null,
      elapsedMs: t - this.started,
      done,
    };
    try {
      this.opts.onProgress(report);
    } catch {
      // A failing listener must not break the data path; progress is advisory.
    }
  }

  /** One timer for the whole run, started by the first chunk: cheap, and it cannot pile up. */
  private armHeartbeat(): void {
    if (this.heartbeat || this.heartbeatMs <= 0) return;
    this.heartbeat = setInterval(() => {
      if (this.now() - this.lastReport >= this.heartbeatMs) this.report(false);
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
