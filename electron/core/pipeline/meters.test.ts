/** The hash meter and the progress meter on their own, with an injected clock. */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { isIntegrityError } from './errors.js';
import { HashMeter } from './hash-meter.js';
import { ProgressMeter } from './progress-meter.js';
import type { ProgressReport } from './types.js';

const devNull = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

describe('HashMeter', () => {
  const data = [Buffer.from('hello '), Buffer.from('world')];
  const sha = createHash('sha256').update('hello world').digest('hex');

  it('passes chunks through untouched and measures them', async () => {
    const meter = new HashMeter({ label: 'raw' });
    const seen: Buffer[] = [];
    const collect = new Writable({
      write(c: Buffer, _e, cb) {
        seen.push(c);
        cb();
      },
    });
    await pipeline(Readable.from(data), meter, collect);
    expect(seen[0]).toBe(data[0]); // same object: no copy
    expect(meter.result).toEqual({ bytes: 11, sha256: sha });
  });

  it('fails at the end on a different checksum or length', async () => {
    for (const expected of [{ sha256: '0'.repeat(64) }, { bytes: 12 }]) {
      const err = await pipeline(Readable.from(data), new HashMeter({ label: 'stored', expected }), devNull()).catch((e: unknown) => e);
      expect(isIntegrityError(err)).toBe(true);
    }
    await pipeline(Readable.from(data), new HashMeter({ label: 'stored', expected: { sha256: sha.toUpperCase(), bytes: 11 } }), devNull());
  });
});

describe('ProgressMeter', () => {
  /** Feeds `chunks` chunks of `size` bytes, advancing a fake clock by `stepMs` before each. */
  async function run(opts: { chunks: number; size: number; stepMs: number; total?: number }) {
    let now = 0;
    const reports: ProgressReport[] = [];
    const meter = new ProgressMeter({ total: opts.total, now: () => now, heartbeatMs: 0, onProgress: (r) => reports.push(r) });
    const sink = devNull();
    meter.pipe(sink);
    for (let i = 0; i < opts.chunks; i++) {
      now += opts.stepMs;
      meter.write(Buffer.alloc(opts.size));
    }
    meter.end();
    await new Promise((r) => sink.on('finish', r));
    return reports;
  }

  it('reports at most once per 100 ms, then once with done', async () => {
    // 1000 chunks, 1 ms apart: 1 s of data → ~10 reports plus the final one.
    const reports = await run({ chunks: 1000, size: 1000, stepMs: 1, total: 1_000_000 });
    expect(reports.length).toBeGreaterThanOrEqual(9);
    expect(reports.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i]!.bytesDone).toBeGreaterThanOrEqual(reports[i - 1]!.bytesDone);
      expect(reports[i]!.elapsedMs - reports[i - 1]!.elapsedMs).toBeGreaterThanOrEqual(reports[i]!.done ? 0 : 100);
    }
    expect(reports.at(-1)).toMatchObject({ done: true, bytesDone: 1_000_000, fraction: 1, etaSeconds: 0 });
  });

  it('computes the rate over the window and the ETA from it', async () => {
    // 1 MB/s steady: 1000 bytes per ms.
    const reports = await run({ chunks: 3000, size: 1000, stepMs: 1, total: 6_000_000 });
    const r = reports.find((x) => x.bytesDone >= 2_000_000)!;
    expect(r.bytesPerSecond).toBeCloseTo(1_000_000, -4);
    expect(r.fraction).toBeCloseTo(r.bytesDone / 6_000_000, 5);
    expect(r.etaSeconds).toBeCloseTo((6_000_000 - r.bytesDone) / 1_000_000, 0);
  });

  it('without a total: fraction and ETA are null', async () => {
    const reports = await run({ chunks: 300, size: 10, stepMs: 1 });
    expect(reports[0]).toMatchObject({ fraction: null, etaSeconds: null });
    expect(reports[0]!.bytesTotal).toBeUndefined();
  });

  it('a stall shows as a falling rate, thanks to the heartbeat', async () => {
    const reports: ProgressReport[] = [];
    const meter = new ProgressMeter({ heartbeatMs: 20, windowMs: 100, intervalMs: 10, onProgress: (r) => reports.push(r) });
    meter.resume();
    meter.write(Buffer.alloc(100_000));
    await new Promise((r) => setTimeout(r, 400));
    meter.destroy();
    expect(reports.length).toBeGreaterThan(3);
    expect(reports.at(-1)!.bytesPerSecond).toBe(0);
    expect(reports.every((r) => r.bytesDone === 100_000)).toBe(true);
  });
});
