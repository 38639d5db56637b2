/**
 * Keeping the main thread and the thread pool busy at the same time.
 *
 * zlib compresses in libuv's thread pool, but hands each finished piece back through the main
 * thread's event loop, and only then takes the next one. Whatever the main thread is doing at
 * that moment (hashing or encrypting a 1 MiB chunk: ~1 ms) delays the pool. Two remedies:
 * - `Handoff` after a thread-pool stage: its output is passed on in the next tick, so the stage
 *   starts its next chunk before the main thread works on the previous one;
 * - `sliced` inside the main-thread stages (hash, cipher): a large chunk is worked on 256 KiB at a
 *   time, with a turn of the event loop in between, so a finished pool job waits at most a slice.
 * The second also keeps the backend responsive (RPC, progress, SSH keepalives) during a backup.
 */
import { Transform, type TransformCallback } from 'node:stream';

export const SLICE_BYTES = 256 * 1024;

/** Runs `work` over `chunk` in slices, yielding to the event loop between them. */
export function sliced(chunk: Buffer, work: (part: Buffer) => void, done: (error?: Error | null) => void, slice = SLICE_BYTES): void {
  let offset = 0;
  const step = () => {
    const end = Math.min(chunk.length, offset + slice);
    try {
      work(end - offset === chunk.length ? chunk : chunk.subarray(offset, end));
    } catch (e) {
      done(e as Error);
      return;
    }
    offset = end;
    if (offset < chunk.length) setImmediate(step);
    else done();
  };
  step();
}

/**
 * Passes each chunk on in the next tick instead of at once: a zlib stream starts its next chunk
 * only after the push of its output has returned, and that push runs every later stage
 * synchronously (hash, cipher, …). After a thread-pool stage, this lets the push return at once.
 */
export class Handoff extends Transform {
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    process.nextTick(cb, null, chunk);
  }
}
