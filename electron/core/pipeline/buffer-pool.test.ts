/**
 * Recycled coalescer buffers (buffer-pool.ts): buffers are really reused, and reuse never
 * overwrites bytes a stage still holds — a stage that keeps the tail of each chunk back until the
 * next one (as the tar guard does with header bytes) must not see them change under it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool.js';
import { Coalescer } from './coalescer.js';
import { createCompressor, createDecompressor } from './compression.js';
import { textBlock } from './testing/mixed-data.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Passes each chunk on minus its last 1000 bytes, which go out in front of the next chunk. */
class HoldBack extends Transform {
  private tail: Buffer | undefined;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    if (this.tail) this.push(this.tail);
    const cut = Math.max(0, chunk.length - 1000);
    this.tail = chunk.subarray(cut);
    // Later, so that the compressor may finish other chunks of the same buffer meanwhile.
    setImmediate(() => cb(null, chunk.subarray(0, cut)));
  }
  override _flush(cb: TransformCallback): void {
    cb(null, this.tail);
  }
}

/** Small chunks of odd sizes, each its own fresh buffer, like ssh2's packets. */
function smallChunks(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = 1000 + ((i * 7919) % 40_000);
    chunks.push(Buffer.from(data.subarray(off, off + n)));
    off += n;
  }
  return Readable.from(chunks, { objectMode: false });
}

/** A sink that keeps every chunk it is given. */
function collect(): { out: Buffer[]; sink: Writable } {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.push(chunk);
      cb();
    },
  });
  return { out, sink };
}

describe('BufferPool with the coalescer and a compressor', () => {
  const data = Buffer.concat([textBlock(3, 1_500_000), randomBytes(1_200_000), textBlock(4, 900_000)]);

  for (const kind of ['zstd', 'gzip'] as const) {
    it(`${kind}: reuses its buffers and the output decompresses to the input`, async () => {
      const pool = new BufferPool(64 * 1024);
      const { out, sink } = collect();
      await pipeline(smallChunks(data), new Coalescer(64 * 1024, pool), new HoldBack(), createCompressor({ kind }, 64 * 1024, pool), sink);
      const stored = Buffer.concat(out);
      const restored = kind === 'zstd' ? zstdDecompressSync(stored) : gunzipSync(stored);
      expect(sha(restored)).toBe(sha(data));
      // ~55 gathered chunks went through a handful of buffers.
      expect(pool.stats.reused).toBeGreaterThan(40);
      expect(pool.stats.allocated).toBeLessThan(10);
    });
  }

  for (const kind of ['zstd', 'gzip'] as const) {
    it(`${kind} restore side: the decompressor gives the gathered chunks back, the output is the input`, async () => {
      const stored = kind === 'zstd' ? zstdCompressSync(data) : gzipSync(data);
      const pool = new BufferPool(64 * 1024);
      const { out, sink } = collect();
      await pipeline(smallChunks(stored), new Coalescer(64 * 1024, pool), new HoldBack(), createDecompressor({ kind }, 64 * 1024, pool), sink);
      expect(sha(Buffer.concat(out))).toBe(sha(data));
      expect(pool.stats.reused).toBeGreaterThan(kind === 'zstd' ? 5 : 10);
      expect(pool.stats.allocated).toBeLessThan(10);
    });
  }

  it('a buffer whose bytes never all reach the compressor is not reused', () => {
    const pool = new BufferPool(16);
    const a = pool.take();
    pool.lend(a, 16);
    pool.consumed(a.subarray(0, 8)); // half of it: the rest is still somewhere downstream
    const b = pool.take();
    expect(b.buffer).not.toBe(a.buffer);
    pool.consumed(a.subarray(8, 16));
    expect(pool.take().buffer).toBe(a.buffer);
  });
});
