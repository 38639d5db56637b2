/**
 * Gathers small chunks into larger ones before the expensive stages.
 *
 * Why: sources deliver small chunks — an SSH channel ~32 KiB, a file or socket 64 KiB — and every
 * stage pays a fixed cost per chunk: zlib hands each write to the thread pool and back, the
 * hash and the cipher set up per call. Measured on zstd -3 alone (2-core EPYC, Node 22): 206 MiB/s
 * fed 64 KiB chunks, 304 MiB/s fed 256 KiB, 375 MiB/s fed 1 MiB. Inside a whole backup, though,
 * 256 KiB does better than 1 MiB (see DEFAULT_CHUNK_BYTES in compression.ts). One copy per byte
 * (memcpy, GB/s) buys that. A chunk that is already large passes through without a copy.
 *
 * With a BufferPool (backup, in front of a compressor) the gathered chunks are written into
 * recycled buffers as the small chunks arrive — nothing is allocated per chunk, and the small
 * chunks are let go at once instead of waiting for the rest of their gathered chunk.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { BufferPool } from './buffer-pool.js';

export class Coalescer extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  /** Pool mode: the buffer being filled. */
  private current: Buffer | undefined;

  constructor(
    private readonly target: number,
    private readonly pool?: BufferPool,
  ) {
    // One gathered chunk may wait on each side.
    super({ highWaterMark: target, writableHighWaterMark: target });
    if (pool && pool.size < target) throw new RangeError('the pool buffers are smaller than the chunks');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.size === 0 && chunk.length >= this.target) {
      cb(null, chunk);
      return;
    }
    if (this.pool) this.copyIn(chunk, this.pool);
    else {
      this.parts.push(chunk);
      this.size += chunk.length;
      if (this.size >= this.target) this.release();
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.size > 0) this.release();
    cb();
  }

  private copyIn(chunk: Buffer, pool: BufferPool): void {
    let off = 0;
    while (off < chunk.length) {
      this.current ??= pool.take();
      const n = chunk.copy(this.current, this.size, off, Math.min(chunk.length, off + this.target - this.size));
      off += n;
      this.size += n;
      if (this.size >= this.target) this.release();
    }
  }

  private release(): void {
    if (this.current) {
      const filled = this.current;
      const bytes = this.size;
      this.current = undefined;
      this.size = 0;
      this.pool!.lend(filled, bytes);
      this.push(filled.subarray(0, bytes));
      return;
    }
    const out = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.push(out);
  }
}
