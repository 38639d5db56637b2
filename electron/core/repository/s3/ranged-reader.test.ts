/**
 * The ranged reader with a fake server (pure logic; the lab's S3 in s3-backend.int.test.ts): bytes
 * in order whatever order the parts arrive in, at most `concurrency` requests at a time, the head
 * part passed on as it arrives, a wrong total size or a short part refused, the requests aborted
 * when the reader is destroyed.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rangedReader, type FetchRange } from './ranged-reader.js';

const object = randomBytes(1_000_003);

function fakeServer(opts: { total?: number; shortAt?: number } = {}) {
  let inFlight = 0;
  let most = 0;
  const aborted: number[] = [];
  const fetch: FetchRange = async (start, end, signal) => {
    inFlight++;
    most = Math.max(most, inFlight);
    // Later parts answer sooner: the reader must still deliver in order.
    await new Promise((r) => setTimeout(r, Math.max(1, 20 - start / 50_000)));
    signal.addEventListener('abort', () => aborted.push(start));
    inFlight--;
    const slice = object.subarray(start, opts.shortAt === start ? end : end + 1);
    return { body: Readable.from([slice.subarray(0, 1000), slice.subarray(1000)]), contentRange: `bytes ${start}-${end}/${opts.total ?? object.length}` };
  };
  return { fetch, most: () => most, aborted };
}

async function readAll(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('rangedReader', () => {
  it('delivers the object in order, a few parts at a time', async () => {
    const server = fakeServer();
    const got = await readAll(rangedReader(server.fetch, { size: object.length, partBytes: 100_000, concurrency: 3, what: 'obj' }));
    expect(got.equals(object)).toBe(true);
    expect(server.most()).toBeLessThanOrEqual(3);
    expect(server.most()).toBeGreaterThan(1);
  });

  it('refuses an object of another size than recorded, and a part that comes back short', async () => {
    await expect(readAll(rangedReader(fakeServer({ total: object.length + 1 }).fetch, { size: object.length, partBytes: 100_000, concurrency: 2, what: 'obj' }))).rejects.toThrow(
      /obj is 1000004 bytes long where 1000003 were recorded/,
    );
    await expect(readAll(rangedReader(fakeServer({ shortAt: 300_000 }).fetch, { size: object.length, partBytes: 100_000, concurrency: 2, what: 'obj' }))).rejects.toThrow(
      /bytes 300000-399999 came back 99999 bytes long/,
    );
  });

  it('passes the head part on as it arrives, not once it is whole', async () => {
    // Part 0 sends 1000 bytes, then the rest only once the reader has passed those on.
    let passedOn: () => void = () => {};
    const firstSeen = new Promise<void>((resolve) => (passedOn = resolve));
    const fetch: FetchRange = async (start, end) => {
      const slice = object.subarray(start, end + 1);
      async function* body() {
        yield slice.subarray(0, 1000);
        if (start === 0) await firstSeen;
        yield slice.subarray(1000);
      }
      return { body: Readable.from(body()), contentRange: `bytes ${start}-${end}/${object.length}` };
    };
    const reader = rangedReader(fetch, { size: object.length, partBytes: 100_000, concurrency: 2, what: 'obj' });
    const out: Buffer[] = [];
    const got = (async () => {
      for await (const c of reader) {
        out.push(c as Buffer);
        if (out.length === 1) passedOn();
      }
      return Buffer.concat(out);
    })();
    // A reader that waited for whole parts would wait here forever.
    const whole = await Promise.race([got, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
    expect(whole?.equals(object)).toBe(true);
  });

  it('aborts the requests still running when the reader is destroyed', async () => {
    const server = fakeServer();
    const reader = rangedReader(server.fetch, { size: object.length, partBytes: 100_000, concurrency: 4, what: 'obj' });
    await new Promise<void>((resolve) => reader.once('data', () => resolve()));
    reader.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(server.aborted.length).toBeGreaterThan(0);
  });
});
