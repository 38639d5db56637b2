/**
 * One large object read as several ranged GETs at once, delivered in order (issue 10 item 4 asks
 * for it; the agent's restores need it now): one GET is one TCP stream from one place on the
 * server's disk, and a restore read a cold object at 280–310 MiB/s that way against 540–550 MiB/s
 * from the page cache (620 MiB from the lab's S3 server, bench/profile-s3.ts --cold). restic
 * reads its packs with several requests at a time.
 *
 * Memory is bounded: at most `concurrency` parts of `partBytes` are held (the one being passed on
 * included); the part at the head is passed on as it arrives. The first answer's Content-Range
 * says how large the object really is; an object whose size is not the one expected fails before
 * any byte is passed on, and each part must be exactly as long as asked (a short one fails the
 * stream where it ends; the pipeline's checksums make sure such a stream never ends cleanly).
 * Destroying the stream aborts the requests still running.
 */
import { Readable } from 'node:stream';

export interface RangeAnswer {
  body: Readable;
  /** "bytes 0-8388607/123456789". */
  contentRange?: string | undefined;
}

export interface RangedReaderOptions {
  size: number;
  partBytes: number;
  concurrency: number;
  signal?: AbortSignal | undefined;
  /** For messages: "s3://bucket/key". */
  what: string;
}

export type FetchRange = (start: number, end: number, signal: AbortSignal) => Promise<RangeAnswer>;

/**
 * One part's bytes as they arrive, kept until passed on (never more than the part). The part at
 * the head is passed on while it downloads; the others wait here, complete or not. (Collecting a
 * whole part first held the first byte of a cold object back ~0.3 s: the first 8 MiB part
 * downloading beside three others.)
 */
class Part {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(read: (keep: (chunk: Buffer) => void) => Promise<void>) {
    read((chunk) => {
      this.chunks.push(chunk);
      this.poke();
    }).then(
      () => {
        this.ended = true;
        this.poke();
      },
      (error: unknown) => {
        this.failure = { error };
        this.poke();
      },
    );
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Its bytes in order; its failure (a short part, a dropped connection) where it happened. */
  async *drain(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.failure) throw this.failure.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

async function readPart(fetch: FetchRange, start: number, end: number, signal: AbortSignal, check: ((total: number) => void) | undefined, what: string, keep: (chunk: Buffer) => void): Promise<void> {
  const answer = await fetch(start, end, signal);
  const total = Number(/\/(\d+)\s*$/.exec(answer.contentRange ?? '')?.[1]);
  if (check && Number.isFinite(total)) check(total);
  let got = 0;
  for await (const c of answer.body) {
    const b = c as Buffer;
    got += b.length;
    if (got > end - start + 1) break;
    keep(b);
  }
  if (got !== end - start + 1) throw new Error(`${what}: bytes ${start}-${end} came back ${got} bytes long where ${end - start + 1} were asked for`);
}

export function rangedReader(fetch: FetchRange, opts: RangedReaderOptions): Readable {
  const { size, partBytes, concurrency, what } = opts;
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const sizeCheck = (total: number) => {
    if (total !== size) throw new Error(`${what} is ${total} bytes long where ${size} were recorded`);
  };
  async function* parts(): AsyncGenerator<Buffer> {
    const queue: Part[] = [];
    let next = 0;
    const launch = () => {
      const start = next * partBytes;
      if (start >= size) return;
      const end = Math.min(size, start + partBytes) - 1;
      const first = next === 0;
      queue.push(new Part((keep) => readPart(fetch, start, end, controller.signal, first ? sizeCheck : undefined, what, keep)));
      next++;
    };
    try {
      for (let i = 0; i < concurrency; i++) launch();
      while (queue.length) {
        yield* queue.shift()!.drain();
        launch();
      }
    } finally {
      controller.abort();
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
  return Readable.from(parts(), { objectMode: false, highWaterMark: 64 * 1024 });
}
