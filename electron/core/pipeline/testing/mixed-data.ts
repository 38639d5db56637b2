/**
 * Test and benchmark data: a stream of "mixed" bytes like a real volume's — 1 MiB blocks that
 * alternate between log-like text (compresses ~5–10×) and random bytes (does not compress) —
 * generated on the fly, never stored. It measures itself (bytes produced, sha256), and the number
 * of bytes produced is what the backpressure test compares with what the sink received.
 */
import { createHash, randomFillSync, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';

export const MiB = 1024 * 1024;
const BLOCK = MiB;

/** A small deterministic PRNG (xorshift32), so text blocks differ without costing much. */
function prng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
const PATHS = ['/api/v1/items', '/api/v1/users', '/healthz', '/api/v2/orders', '/static/app.js', '/login'];

export function textBlock(seed: number, size = BLOCK): Buffer {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
  const lines: string[] = [];
  let length = 0;
  let t = Date.UTC(2026, 10, 21) + seed * 1000;
  while (length < size) {
    t += Math.floor(rnd() * 50);
    const line = `${new Date(t).toISOString()} ${pick(LEVELS)} [worker-${Math.floor(rnd() * 16)}] request id=${Math.floor(rnd() * 0xffffffff).toString(16)} path=${pick(PATHS)}/${Math.floor(rnd() * 100000)} status=${rnd() < 0.95 ? 200 : 500} took=${Math.floor(rnd() * 300)}ms\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, size);
}

export interface MixedSourceOptions {
  size: number;
  /** Size of each pushed chunk (default 64 KiB, like a socket or a zlib stream). */
  chunkSize?: number;
  /**
   * Benchmark mode: cycle through a fixed pool of 16 distinct 1 MiB blocks instead of generating
   * each one, so the generator costs almost nothing. The 16 MiB period is far beyond zstd's and
   * gzip's match windows, so neither compresses better than on fresh data.
   */
  pool?: boolean;
  /** 'mixed' (default) alternates text and random blocks; 'random' never compresses. */
  content?: 'mixed' | 'random';
  /** Compute the sha256 of what is produced (costs a hash pass; off in benchmarks). */
  hash?: boolean;
  seed?: number;
}

export class MixedSource extends Readable {
  produced = 0;
  private readonly hasher: Hash | undefined;
  private block: Buffer = Buffer.alloc(0);
  private offsetInBlock = 0;
  private blockIndex = 0;
  private readonly poolBlocks: Buffer[] | undefined;
  private readonly chunkSize: number;

  constructor(private readonly opts: MixedSourceOptions) {
    super({ highWaterMark: opts.chunkSize ?? 64 * 1024 });
    this.chunkSize = opts.chunkSize ?? 64 * 1024;
    this.hasher = opts.hash === false ? undefined : createHash('sha256');
    if (opts.pool) {
      this.poolBlocks = [];
      for (let i = 0; i < 8; i++) this.poolBlocks.push(textBlock((opts.seed ?? 1) * 100 + i), randomFillSync(Buffer.allocUnsafe(BLOCK)));
    }
  }

  /** The sha256 of everything produced, once the stream has ended. */
  get sha256(): string {
    if (!this.hasher) throw new Error('hashing was off');
    return this.hasher.copy().digest('hex');
  }

  override _read(): void {
    while (this.produced < this.opts.size) {
      if (this.offsetInBlock >= this.block.length) this.nextBlock();
      const n = Math.min(this.chunkSize, this.block.length - this.offsetInBlock, this.opts.size - this.produced);
      const chunk = this.block.subarray(this.offsetInBlock, this.offsetInBlock + n);
      this.offsetInBlock += n;
      this.produced += n;
      this.hasher?.update(chunk);
      if (!this.push(chunk)) return;
    }
    this.push(null);
  }

  private nextBlock(): void {
    const i = this.blockIndex++;
    this.offsetInBlock = 0;
    if (this.poolBlocks) {
      this.block = this.poolBlocks[i % this.poolBlocks.length]!;
      return;
    }
    // Fresh buffers each time: a pushed chunk must not be overwritten while a stage still holds it.
    const text = i % 2 === 0 && this.opts.content !== 'random';
    this.block = text ? textBlock((this.opts.seed ?? 1) * 100_000 + i) : randomFillSync(Buffer.allocUnsafe(BLOCK));
  }
}
