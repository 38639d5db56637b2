/**
 * The pipeline when things go wrong or slow: corrupted objects, cancellation, failing sinks,
 * a slow sink (backpressure, bounded memory), and progress reporting.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcError } from '../../../shared/contract/errors.js';
import { isIntegrityError } from './errors.js';
import { runPipeline } from './run-pipeline.js';
import { MiB, MixedSource } from './testing/mixed-data.js';
import { MeasuringSink } from './testing/sinks.js';
import type { CompressionSpec, EncryptionSpec, PipelineProgress, PipelineResult } from './types.js';

let dir: string;
let identity: string;
let recipient: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hindsight-pipeline-f-'));
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function backupToMemory(size: number, compression: CompressionSpec, encryption: EncryptionSpec): Promise<{ stored: Buffer; result: PipelineResult }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const result = await runPipeline({ direction: 'backup', source: new MixedSource({ size }), sink, compression, encryption });
  return { stored: Buffer.concat(chunks), result };
}

const restoreFrom = (stored: Buffer, sink: Writable, compression: CompressionSpec, encryption: EncryptionSpec, expected?: PipelineResult) =>
  runPipeline({ direction: 'restore', source: Readable.from([stored], { objectMode: false }), sink, compression, encryption, expected });

describe('corruption', () => {
  const cases: Array<[string, CompressionSpec, () => EncryptionSpec, () => EncryptionSpec]> = [
    ['zstd', { kind: 'zstd' }, () => ({ kind: 'none' }), () => ({ kind: 'none' })],
    ['gzip', { kind: 'gzip' }, () => ({ kind: 'none' }), () => ({ kind: 'none' })],
    ['zstd + age', { kind: 'zstd' }, () => ({ kind: 'recipients', recipients: [recipient] }), () => ({ kind: 'recipients', identities: [identity] })],
  ];

  it.each(cases)('%s: one flipped byte is detected, with or without the manifest, and the sink never finishes', async (_n, compression, enc, dec) => {
    const { stored, result } = await backupToMemory(4 * MiB, compression, enc());
    const damaged = Buffer.from(stored);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x01;
    for (const expected of [result, undefined]) {
      const sink = new MeasuringSink();
      const err = await restoreFrom(damaged, sink, compression, dec(), expected).catch((e: unknown) => e);
      expect(isIntegrityError(err), String(err)).toBe(true);
      expect(sink.finished).toBe(false);
      expect(sink.destroyedWith).toBeInstanceOf(Error);
    }
  });

  it.each(cases)('%s: a truncated object is detected', async (_n, compression, enc, dec) => {
    const { stored, result } = await backupToMemory(2 * MiB, compression, enc());
    for (const expected of [result, undefined]) {
      const sink = new MeasuringSink();
      const err = await restoreFrom(stored.subarray(0, stored.length - 1000), sink, compression, dec(), expected).catch((e: unknown) => e);
      expect(isIntegrityError(err), String(err)).toBe(true);
      expect(sink.finished).toBe(false);
    }
  });

  it('an intact object that does not match the manifest is refused', async () => {
    const { stored, result } = await backupToMemory(1 * MiB, { kind: 'zstd' }, { kind: 'none' });
    const sink = new MeasuringSink();
    const err = await restoreFrom(stored, sink, { kind: 'zstd' }, { kind: 'none' }, { ...result, storedSha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect(isIntegrityError(err)).toBe(true);
    expect((err as RpcError).message).toMatch(/stored data does not match its recorded checksum/);
    expect(sink.finished).toBe(false);
  });

  // A restore checked against the stored sha256 does not hash the raw side again (run-pipeline.ts):
  // stored bytes that pass it but decode to other bytes are the decoder's to refuse.
  it.each([
    ['zstd: its content checksum', { kind: 'zstd' } as CompressionSpec, 1],
    ['gzip: its CRC-32', { kind: 'gzip' } as CompressionSpec, 5],
  ])('stored bytes the manifest vouches for that decode to other bytes are refused — %s', async (_n, compression, fromEnd) => {
    const { stored, result } = await backupToMemory(1 * MiB, compression, { kind: 'none' });
    const damaged = Buffer.from(stored);
    damaged[damaged.length - fromEnd]! ^= 0x01; // in the trailer: the data decodes, its check does not
    const vouched = { ...result, storedSha256: createHash('sha256').update(damaged).digest('hex') };
    const sink = new MeasuringSink();
    const err = await restoreFrom(damaged, sink, compression, { kind: 'none' }, vouched).catch((e: unknown) => e);
    expect(isIntegrityError(err), String(err)).toBe(true);
    expect(sink.finished).toBe(false);
  });

  it('without a stored sha256 to check, the raw side is hashed and checked', async () => {
    const { stored, result } = await backupToMemory(1 * MiB, { kind: 'zstd' }, { kind: 'none' });
    const rawOnly = { rawBytes: result.rawBytes, rawSha256: result.rawSha256 };
    const ok = await restoreFrom(stored, new MeasuringSink(), { kind: 'zstd' }, { kind: 'none' }, rawOnly as PipelineResult);
    expect(ok.rawSha256).toBe(result.rawSha256);
    const sink = new MeasuringSink();
    const err = await restoreFrom(stored, sink, { kind: 'zstd' }, { kind: 'none' }, { ...rawOnly, rawSha256: '0'.repeat(64) } as PipelineResult).catch((e: unknown) => e);
    expect(isIntegrityError(err)).toBe(true);
    expect((err as RpcError).message).toMatch(/restored data does not match its recorded checksum/);
    expect(sink.finished).toBe(false);
  });

  it('a wrong key is AUTH_FAILED, not corruption', async () => {
    const { stored } = await backupToMemory(256 * 1024, { kind: 'zstd' }, { kind: 'recipients', recipients: [recipient] });
    const other = await generateX25519Identity();
    const err = await restoreFrom(stored, new MeasuringSink(), { kind: 'zstd' }, { kind: 'recipients', identities: [other] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AUTH_FAILED' });
  });
});

describe('cancellation', () => {
  it('abort mid-way rejects with CANCELLED, destroys the source, and the sink sees an error', async () => {
    const controller = new AbortController();
    const source = new MixedSource({ size: 30 * MiB });
    const sink = new MeasuringSink({ onWrite: (s) => s.bytes > 2 * MiB && controller.abort() });
    const err = await runPipeline({
      direction: 'backup',
      source,
      sink,
      compression: { kind: 'zstd' },
      encryption: { kind: 'recipients', recipients: [recipient] },
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(source.destroyed).toBe(true);
    expect(source.produced).toBeLessThan(30 * MiB);
    expect(sink.destroyedWith).toBeInstanceOf(Error);
    expect(sink.finished).toBe(false);
  });

  it('abort reaches a function sink as an error in its body stream (an upload aborts)', async () => {
    const controller = new AbortController();
    let sawError: unknown;
    const err = await runPipeline({
      direction: 'backup',
      source: new MixedSource({ size: 30 * MiB }),
      compression: { kind: 'gzip' },
      encryption: { kind: 'none' },
      signal: controller.signal,
      sink: async (body) => {
        let bytes = 0;
        try {
          for await (const chunk of body) {
            bytes += (chunk as Buffer).length;
            if (bytes > MiB) controller.abort();
          }
        } catch (e) {
          sawError = e;
          throw e;
        }
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(sawError).toBeInstanceOf(Error);
  });

  it('an already-aborted signal fails at once', async () => {
    const sink = new MeasuringSink();
    const err = await runPipeline({ direction: 'restore', source: new MixedSource({ size: MiB }), sink, compression: { kind: 'none' }, encryption: { kind: 'none' }, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(sink.bytes).toBe(0);
  });

  it('a failing function sink stops the source and its error is the one reported', async () => {
    const source = new MixedSource({ size: 30 * MiB });
    const err = await runPipeline({
      direction: 'backup',
      source,
      compression: { kind: 'zstd' },
      encryption: { kind: 'none' },
      sink: async (body) => {
        for await (const _ of body) throw new RpcError('TCP_FAILED', 'The S3 server went away.');
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TCP_FAILED', message: 'The S3 server went away.' });
    expect(source.destroyed).toBe(true);
    expect(source.produced).toBeLessThan(30 * MiB);
  });

  it('a spec that cannot work fails before any data moves, closing source and sink', async () => {
    const source = new MixedSource({ size: MiB });
    const sink = new MeasuringSink();
    const err = await runPipeline({ direction: 'restore', source, sink, compression: { kind: 'zstd' }, encryption: { kind: 'recipients', recipients: [recipient] } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(source.destroyed).toBe(true);
    expect(sink.destroyedWith).toBeInstanceOf(Error);
  });

  it('a failing source reaches the sink as an error', async () => {
    const source = new MixedSource({ size: 30 * MiB });
    const sink = new MeasuringSink({ onWrite: (s) => s.writes === 5 && source.destroy(new Error('SSH channel closed')) });
    const err = await runPipeline({ direction: 'backup', source, sink, compression: { kind: 'none' }, encryption: { kind: 'none' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INTERNAL' });
    expect((err as Error).message).toMatch(/SSH channel closed/);
    expect(sink.destroyedWith).toBeInstanceOf(Error);
  });
});

describe('backpressure', () => {
  // Random data: stored ≈ raw, so "read from the source minus written to the sink" is the
  // amount of data held inside the pipeline at that moment. Each stage holds about one chunk per
  // side: with the default 1 MiB chunks that is a few MiB whatever the size of the stream.
  const LIMIT = 12 * MiB;

  it.each([
    [undefined, LIMIT],
    [64 * 1024, 2 * MiB],
  ])('backup: a slow sink holds the source back (chunks %s): in flight stays under %i bytes', async (chunkBytes, limit) => {
    let maxInFlight = 0;
    const source = new MixedSource({ size: 24 * MiB, content: 'random' });
    const sink = new MeasuringSink({ delayMs: 1, onWrite: (s) => (maxInFlight = Math.max(maxInFlight, source.produced - s.bytes)) });
    await runPipeline({ direction: 'backup', source, sink, chunkBytes, compression: { kind: 'zstd' }, encryption: { kind: 'recipients', recipients: [recipient] } });
    expect(sink.bytes).toBeGreaterThan(24 * MiB);
    expect(maxInFlight).toBeGreaterThan(0);
    expect(maxInFlight).toBeLessThan(limit);
  }, 60_000);

  it('restore: the same from a stored object to a slow extractor', async () => {
    const file = join(dir, 'random.zst.age');
    const b = await runPipeline({
      direction: 'backup',
      source: new MixedSource({ size: 24 * MiB, content: 'random' }),
      sink: createWriteStream(file),
      compression: { kind: 'zstd' },
      encryption: { kind: 'recipients', recipients: [recipient] },
    });
    expect((await stat(file)).size).toBe(b.storedBytes);
    const source = createReadStream(file);
    let maxInFlight = 0;
    const sink = new MeasuringSink({ delayMs: 1, onWrite: (s) => (maxInFlight = Math.max(maxInFlight, source.bytesRead - s.bytes)) });
    await runPipeline({ direction: 'restore', source, sink, compression: { kind: 'zstd' }, encryption: { kind: 'recipients', identities: [identity] }, expected: b });
    expect(maxInFlight).toBeLessThan(LIMIT);
  }, 60_000);
});

describe('progress', () => {
  it('reports monotonically, at most ~10 times a second, and ends with one done report', async () => {
    const events: Array<PipelineProgress & { at: number }> = [];
    const size = 16 * MiB;
    const started = performance.now();
    const r = await runPipeline({
      direction: 'backup',
      source: new MixedSource({ size }),
      // ~20 MiB/s: the run lasts long enough for several reports.
      sink: new MeasuringSink({ bytesPerSecond: 20 * MiB }),
      compression: { kind: 'zstd' },
      encryption: { kind: 'none' },
      sourceSize: size,
      onProgress: (p) => events.push({ ...p, at: performance.now() }),
    });
    const elapsed = performance.now() - started;
    expect(events.length).toBeGreaterThan(2);
    expect(events.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
      expect(events[i]!.rawBytes).toBeGreaterThanOrEqual(events[i - 1]!.rawBytes);
      expect(events[i]!.storedBytes).toBeGreaterThanOrEqual(events[i - 1]!.storedBytes);
      if (!events[i]!.done) expect(events[i]!.at - events[i - 1]!.at).toBeGreaterThanOrEqual(90);
    }
    const mid = events[Math.floor(events.length / 2)]!;
    expect(mid.fraction).toBeGreaterThan(0);
    expect(mid.bytesPerSecond).toBeGreaterThan(0);
    expect(mid.etaSeconds).not.toBeNull();
    const last = events.at(-1)!;
    expect(events.filter((e) => e.done)).toHaveLength(1);
    expect(last).toMatchObject({ done: true, fraction: 1, bytesDone: size, bytesTotal: size, rawBytes: size, storedBytes: r.storedBytes, direction: 'backup' });
  }, 60_000);
});
