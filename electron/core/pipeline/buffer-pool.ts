/**
 * Staging buffers that are used again instead of allocated per chunk, for the coalescer in front
 * of a compressor (backup side) or of a decompressor (restore side, when nothing is decrypted in
 * between: a restore of 1 GiB on the agent went from 7.2–8.8 s to 6.1 s, 5.4 to 4.7 CPU s).
 *
 * Why: a backup allocates ~4 bytes of short-lived Buffer memory per byte it moves (socket reads,
 * ssh2's decrypted packets, the coalescer's gathered chunks, the compressor's output). V8 counts
 * Buffer memory as "external" and, past a limit, answers with full mark-compact collections; on
 * the shared 2-core machine runs fell into storms of them (15–75 per 512 MiB, up to ~2 s of
 * main-thread time) while identical runs had 2. Re-using the coalescer's buffers removes a
 * quarter of that churn (and the page faults of fresh allocations): in alternating runs, storms
 * in 1 run of 6 instead of 6 of 6 (docs/walkthrough/performance.md).
 *
 * When a buffer may be used again: only once every byte lent out of it has been CONSUMED by a
 * stage that copies its input — a zlib compressor or decompressor, whose write callback comes after the library
 * has taken the input into its own window (zlib.js: processCallback → cb). Slices are recognised
 * by their ArrayBuffer, and counted down by length; a buffer whose bytes are not all seen (a raw
 * stage that copied them, a run torn down mid-way) is simply never reused — the garbage collector
 * takes it, as before. So a stage in between may hold slices (the tar guard holds header bytes
 * across chunks) without any risk: those bytes are not counted until the compressor has them.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  /** Buffers lent out, by their memory: bytes not yet consumed. */
  private readonly lent = new Map<ArrayBufferLike, { buffer: Buffer; left: number }>();
  /** Counters for tests and benchmarks. */
  readonly stats = { allocated: 0, reused: 0 };

  /** `keep`: free buffers kept for reuse (more in flight are allocated and left to the GC). */
  constructor(
    readonly size: number,
    private readonly keep = 4,
  ) {}

  /** A buffer of `size` bytes, with its own memory (never a slice of Node's shared pool). */
  take(): Buffer {
    const b = this.free.pop();
    if (b) {
      this.stats.reused++;
      return b;
    }
    this.stats.allocated++;
    return Buffer.allocUnsafeSlow(this.size);
  }

  /** `buffer`'s first `bytes` bytes go downstream; it comes back once they are all consumed. */
  lend(buffer: Buffer, bytes: number): void {
    if (bytes === 0) this.giveBack(buffer);
    else this.lent.set(buffer.buffer, { buffer, left: bytes });
  }

  /** A copying stage is done with `chunk` (any buffer: unknown ones are ignored). */
  consumed(chunk: Uint8Array): void {
    const loan = this.lent.get(chunk.buffer);
    if (!loan) return;
    loan.left -= chunk.byteLength;
    if (loan.left > 0) return;
    this.lent.delete(chunk.buffer);
    this.giveBack(loan.buffer);
  }

  private giveBack(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}
