/**
 * One large object read as several ranged GETs at once, delivered in order (issue 10 item 4 asks
 * for it; the agent's restores need it now): one GET is one TCP stream from one place on the
 * server's disk, and a restore read a cold object at 280–310 MiB/s that way against 540–550 MiB/s
 * from the page cache (620 MiB from the lab's S3 server, bench/profile-s3.ts --cold). restic
 * reads its packs with several requests at a time.
 *
 * Memory is bounded: at most `concurrency` parts of `partBytes` are held (the one being passed on
 * included). The first answer's Content-Range says how large the object really is; an object
 * whose size is not the one expected fails before any byte is passed on, and each part must be
 * exactly as long as asked. Destroying the stream aborts the requests still running.
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

async function readPart(fetch: FetchRange, start: number, end: number, signal: AbortSignal, check: ((total: number) => void) | undefined, what: string): Promise<Buffer[]> {
  const answer = await fetch(start, end, signal);
  const total = Number(/\/(\d+)\s*$/.exec(answer.contentRange ?? '')?.[1]);
  if (check && Number.isFinite(total)) check(total);
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const c of answer.body) {
    const b = c as Buffer;
    got += b.length;
    if (got > end - start + 1) break;
    chunks.push(b);
  }
  if (got !== end - start + 1) throw new Error(`${what}: bytes ${start}-${end} came back ${got} bytes long where ${end - start + 1} were asked for`);
  return chunks;
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
    const queue: Promise<Buffer[]>[] = [];
    let next = 0;
    const launch = () => {
      const start = next * partBytes;
      if (start >= size) return;
      const end = Math.min(size, start + partBytes) - 1;
      const p = readPart(fetch, start, end, controller.signal, next === 0 ? sizeCheck : undefined, what);
      p.catch(() => undefined); // awaited in order below; a later part's failure must not go unhandled meanwhile
      queue.push(p);
      next++;
    };
    try {
      for (let i = 0; i < concurrency; i++) launch();
      while (queue.length) {
        const chunks = await queue.shift()!;
        launch();
        for (const c of chunks) yield c;
      }
    } finally {
      controller.abort();
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
  return Readable.from(parts(), { objectMode: false, highWaterMark: 64 * 1024 });
}
