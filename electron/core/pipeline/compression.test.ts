/**
 * Compression stages against the CLIs: what `zstd` and `gzip` write (any level, several frames,
 * skippable frames, no checksum) restores through the pipeline, and a zstd stream cut anywhere is
 * refused (Node's decompressor alone would end quietly — see zstd-frames.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createCompressor } from './compression.js';
import { isIntegrityError } from './errors.js';
import { runPipeline } from './run-pipeline.js';
import { textBlock } from './testing/mixed-data.js';
import { MeasuringSink, runCli } from './testing/sinks.js';
import { ZstdFrameCheck } from './zstd-frames.js';
import type { CompressionSpec } from './types.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const plain = Buffer.concat([textBlock(7, 400_000), randomBytes(300_000), textBlock(8, 300_000)]);

async function restore(stored: Buffer, kind: CompressionSpec['kind']) {
  const sink = new MeasuringSink();
  const r = await runPipeline({ direction: 'restore', source: Readable.from([stored], { objectMode: false }), sink, compression: { kind } as CompressionSpec, encryption: { kind: 'none' } });
  return { r, sha256: sink.sha256 };
}

function skippable(): Buffer {
  const frame = Buffer.alloc(8 + 5, 7);
  frame.writeUInt32LE(0x184d2a53, 0);
  frame.writeUInt32LE(5, 4);
  return frame;
}

async function cli(args: string[], input: Buffer): Promise<Buffer> {
  const r = await runCli(args[0]!, args.slice(1), input);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('what the CLIs write restores', () => {
  it.each([
    ['zstd -1', ['zstd', '-1', '-c']],
    ['zstd -19', ['zstd', '-19', '-c']],
    ['zstd --no-check', ['zstd', '--no-check', '-c']],
    ['zstd --long=27', ['zstd', '--long=27', '-c']],
    ['gzip -1', ['gzip', '-1', '-c']],
    ['gzip -9', ['gzip', '-9', '-c']],
  ])('%s', async (_name, args) => {
    const stored = await cli(args, plain);
    const { sha256 } = await restore(stored, args[0] === 'zstd' ? 'zstd' : 'gzip');
    expect(sha256).toBe(sha(plain));
  });

  it('one zstd frame followed by a skippable frame, or by empty frames (Node writes those)', async () => {
    const empty = await cli(['zstd', '-c'], Buffer.alloc(0));
    const stored = Buffer.concat([await cli(['zstd', '-c'], plain), skippable(), empty, empty]);
    expect((await restore(stored, 'zstd')).sha256).toBe(sha(plain));
    // Into a function sink too (an async-iterator consumer), which Node's decompressor alone trips.
    const r = await runPipeline({
      direction: 'restore',
      source: Readable.from([stored]),
      compression: { kind: 'zstd' },
      encryption: { kind: 'none' },
      sink: async (body) => {
        const hash = createHash('sha256');
        for await (const c of body) hash.update(c as Buffer);
        return hash.digest('hex');
      },
    });
    expect(r.sinkResult).toBe(sha(plain));
  });

  it('several zstd frames, or a leading skippable frame, are refused — not cut short in silence', async () => {
    // Node's decompressor decodes only the first frame (nodejs/node#64741); the CLI reads them all.
    const a = await cli(['zstd', '-c'], plain.subarray(0, 500_000));
    const b = await cli(['zstd', '-c'], plain.subarray(500_000));
    for (const stored of [Buffer.concat([a, b]), Buffer.concat([skippable(), a])]) {
      expect((await cli(['zstd', '-d', '-c'], stored)).length).toBeGreaterThan(0);
      await expect(restore(stored, 'zstd')).rejects.toThrow(/several frames/);
    }
  });

  it('several gzip members', async () => {
    const stored = Buffer.concat([await cli(['gzip', '-c'], plain.subarray(0, 1000)), await cli(['gzip', '-c'], plain.subarray(1000))]);
    expect((await restore(stored, 'gzip')).sha256).toBe(sha(plain));
  });
});

describe('zstd frame check', () => {
  it('refuses a zstd stream cut at any point, and passes it whole', async () => {
    const stored = await cli(['zstd', '-3', '-c', '-B65536'], plain);
    const cuts = new Set([1, 3, 4, 5, 6, 9, 12, stored.length - 4, stored.length - 3, stored.length - 1]);
    for (let i = 0; i < 25; i++) cuts.add(1 + Math.floor(Math.random() * (stored.length - 1)));
    for (const cut of cuts) {
      const err = await pipeline(Readable.from([stored.subarray(0, cut)]), new ZstdFrameCheck(), new MeasuringSink()).catch((e: unknown) => e);
      expect(isIntegrityError(err), `cut at ${cut}/${stored.length}`).toBe(true);
    }
    await pipeline(Readable.from([stored]), new ZstdFrameCheck(), new MeasuringSink());
  });

  it('refuses an empty stream and one that is not zstd', async () => {
    for (const data of [Buffer.alloc(0), Buffer.from('plain text, not zstd')]) {
      const err = await pipeline(Readable.from([data]), new ZstdFrameCheck(), new MeasuringSink()).catch((e: unknown) => e);
      expect(isIntegrityError(err)).toBe(true);
    }
  });
});

describe('single-frame output', () => {
  it('what the pipeline stores is exactly one zstd frame, even where Node appends an empty one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hindsight-zstd-'));
    const file = join(dir, 'o.zst');
    // Many small writes: the case in which Node's compressor alone ends with an extra empty frame.
    const chunks = Array.from({ length: 200 }, (_, i) => plain.subarray(i * 1000, (i + 1) * 1000));
    await pipeline(Readable.from(chunks), createCompressor({ kind: 'zstd' }), createWriteStream(file));
    expect((await runCli('zstd', ['-lv', file])).stdout.toString()).toMatch(/Zstandard Frames: 2\b/);
    await runPipeline({ direction: 'backup', source: Readable.from(chunks), sink: createWriteStream(file), chunkBytes: 1000, compression: { kind: 'zstd' }, encryption: { kind: 'none' } });
    expect((await runCli('zstd', ['-lv', file])).stdout.toString()).toMatch(/Zstandard Frames: 1\b/);
    expect((await cli(['zstd', '-d', '-c'], await readFile(file))).equals(plain.subarray(0, 200_000))).toBe(true);
    await rm(dir, { recursive: true });
  });
});

describe('levels', () => {
  it('refuses levels out of range', () => {
    expect(() => createCompressor({ kind: 'zstd', level: 0 })).toThrow(RangeError);
    expect(() => createCompressor({ kind: 'zstd', level: 20 })).toThrow(RangeError);
    expect(() => createCompressor({ kind: 'gzip', level: 10 })).toThrow(RangeError);
  });

  it('a higher zstd level compresses text smaller', async () => {
    const size = async (level: number) => {
      const sink = new MeasuringSink();
      await pipeline(Readable.from([plain]), createCompressor({ kind: 'zstd', level }), sink);
      return sink.bytes;
    };
    expect(await size(19)).toBeLessThan(await size(1));
  });
});
