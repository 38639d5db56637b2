/**
 * The behaviour every RepositoryBackend must have, as one vitest suite run against each real
 * backend (S3 on the lab's server, SFTP on annex, a local temp dir). Each test gets a backend
 * rooted at its own fresh location, so tests cannot see each other's objects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { RepositoryBackend } from '../backend.js';
import { acquireLock } from '../format/locks.js';
import { manifestKey } from '../format/layout.js';
import { initRepository, openRepository } from '../format/repository.js';
import { asOf, listSnapshots } from '../format/snapshots.js';

export interface SuiteHarness {
  /** A backend rooted at a fresh, empty location named after `sub`. */
  backend(sub: string): Promise<RepositoryBackend>;
  /** What is left of in-flight uploads under `sub` at the storage level (temp files…). */
  leftovers(sub: string): Promise<string[]>;
  /** Removes everything the suite wrote. */
  cleanup(): Promise<void>;
  /**
   * s3rver lists in its directory-walk order, which differs from S3's byte order only where a
   * "directory" name is a prefix of a sibling's name followed by a character below "/" ("a/x" vs
   * "a-b") — never for the repository format's fixed-width keys. Set to compare that case as sets.
   */
  looseOrderForDirLikeSiblings?: boolean;
}

const MiB = 1 << 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `size` random bytes as a stream, with the sha256 of what was produced. */
export function randomStream(size: number, chunk = MiB): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  function* gen() {
    for (let left = size; left > 0; left -= chunk) {
      const c = randomBytes(Math.min(chunk, left));
      hash.update(c);
      yield c;
    }
  }
  return { stream: Readable.from(gen(), { objectMode: false }), sha256: () => hash.digest('hex') };
}

export async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    hash.update(c);
    bytes += c.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function keysOf(backend: RepositoryBackend, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of backend.list(prefix)) out.push(o.key);
  return out;
}

/** Writes `bytes` into `body` honouring backpressure: returns once the consumer has taken most of it. */
async function feed(body: PassThrough, bytes: number): Promise<void> {
  for (let left = bytes; left > 0; left -= MiB) {
    if (!body.write(randomBytes(Math.min(MiB, left)))) await once(body, 'drain');
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

export function describeBackendBehaviour(name: string, harness: () => SuiteHarness): void {
  describe(`RepositoryBackend behaviour: ${name}`, () => {
    const h = harness();
    const opened: RepositoryBackend[] = [];
    const open = async (sub: string) => {
      const b = await h.backend(sub);
      opened.push(b);
      return b;
    };
    afterAll(async () => {
      for (const b of opened) await b.close().catch(() => undefined);
      await h.cleanup();
    });

    it('round-trips a 50 MiB random stream (sha256 equal), then stats and deletes it', async () => {
      const b = await open('roundtrip');
      const src = randomStream(50 * MiB);
      expect(await b.putObject('data/snap/big.bin', src.stream, { contentLength: 50 * MiB })).toEqual({ bytes: 50 * MiB });
      const expected = src.sha256();
      expect(await sha256Of(await b.getObject('data/snap/big.bin'))).toEqual({ sha256: expected, bytes: 50 * MiB });
      const st = await b.stat('data/snap/big.bin');
      expect(st?.size).toBe(50 * MiB);
      expect(Math.abs(st!.mtime.getTime() - Date.now())).toBeLessThan(5 * 60_000);
      expect(await keysOf(b, '')).toEqual(['data/snap/big.bin']);
      await b.deleteObject('data/snap/big.bin');
      expect(await b.stat('data/snap/big.bin')).toBeNull();
      expect(await keysOf(b, '')).toEqual([]);
      await b.deleteObject('data/snap/big.bin'); // deleting what is gone is fine
      expect(await h.leftovers('roundtrip')).toEqual([]);
    }, 120_000);

    it('reads byte ranges', async () => {
      const b = await open('ranges');
      const data = randomBytes(700 * 1024);
      await b.putObject('r.bin', Readable.from([data]));
      const read = async (start: number, end?: number) => Buffer.concat(await (await b.getObject('r.bin', { range: { start, end } })).toArray());
      expect((await read(0, 9)).equals(data.subarray(0, 10))).toBe(true);
      expect((await read(131_000, 400_000)).equals(data.subarray(131_000, 400_001))).toBe(true);
      expect((await read(600_000)).equals(data.subarray(600_000))).toBe(true);
    });

    it('lists many keys (paginated) in key order, with S3 prefix semantics', async () => {
      const b = await open('listing');
      const many = Array.from({ length: 1005 }, (_, i) => `many/k${String(i).padStart(4, '0')}`);
      await mapLimit(many, 16, (k) => b.putObject(k, Readable.from([Buffer.from(k)])));
      const listed: Array<{ key: string; size: number }> = [];
      for await (const o of b.list('many/')) listed.push(o);
      expect(listed.map((o) => o.key)).toEqual(many);
      expect(listed.every((o) => o.size === 10)).toBe(true);

      for (const k of ['order/a-b', 'order/a/x', 'order/a/y/z', 'order/a0']) await b.putObject(k, Readable.from([Buffer.from('x')]));
      const ordered = async (prefix: string) => (h.looseOrderForDirLikeSiblings ? (await keysOf(b, prefix)).sort() : keysOf(b, prefix));
      expect(await ordered('order/')).toEqual(['order/a-b', 'order/a/x', 'order/a/y/z', 'order/a0']);
      expect(await ordered('order/a')).toEqual(['order/a-b', 'order/a/x', 'order/a/y/z', 'order/a0']);
      expect(await keysOf(b, 'order/a/')).toEqual(['order/a/x', 'order/a/y/z']);
      expect(await keysOf(b, 'nothing/')).toEqual([]);
      await mapLimit([...many, 'order/a-b', 'order/a/x', 'order/a/y/z', 'order/a0'], 16, (k) => b.deleteObject(k));
      expect(await keysOf(b, '')).toEqual([]);
    }, 120_000);

    it('overwrites, and tells a missing object (NOT_FOUND) from a bad key (INVALID_INPUT)', async () => {
      const b = await open('overwrite');
      await b.putObject('o.txt', Readable.from([Buffer.from('first')]));
      await b.putObject('o.txt', Readable.from([Buffer.from('second, longer')]));
      expect((await (await b.getObject('o.txt')).toArray()).join('')).toBe('second, longer');
      expect(await b.putObject('empty', Readable.from([]))).toEqual({ bytes: 0 });
      expect((await b.stat('empty'))?.size).toBe(0);
      expect(await (await b.getObject('empty')).toArray()).toEqual([]);
      expect(await b.stat('missing.txt')).toBeNull();
      await expect(b.getObject('missing.txt')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(b.getObject('../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(b.putObject('/abs', Readable.from([]))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('never shows an object before its upload completes', async () => {
      const b = await open('atomic');
      const body = new PassThrough();
      const put = b.putObject('day/obj.bin', body);
      put.catch(() => undefined);
      await feed(body, 12 * MiB); // past one S3 part: a multipart upload is under way
      await sleep(300);
      expect(await b.stat('day/obj.bin')).toBeNull();
      expect(await keysOf(b, '')).toEqual([]);
      await expect(b.getObject('day/obj.bin')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      body.end(Buffer.from('the end'));
      expect(await put).toEqual({ bytes: 12 * MiB + 7 });
      expect(await keysOf(b, '')).toEqual(['day/obj.bin']);
      expect(await h.leftovers('atomic')).toEqual([]);
    }, 60_000);

    it('aborting mid-upload leaves nothing behind', async () => {
      const b = await open('abort');
      const ac = new AbortController();
      const body = new PassThrough();
      const put = b.putObject('day/obj.bin', body, { signal: ac.signal });
      put.catch(() => undefined);
      await feed(body, 12 * MiB);
      await sleep(300);
      ac.abort();
      await expect(put).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(await b.stat('day/obj.bin')).toBeNull();
      expect(await keysOf(b, '')).toEqual([]);
      expect(await h.leftovers('abort')).toEqual([]);
      // An already-aborted signal stops before anything is written.
      await expect(b.putObject('x.bin', Readable.from([Buffer.from('x')]), { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(await keysOf(b, '')).toEqual([]);
    }, 60_000);

    it('a failing source or a wrong length leaves nothing behind', async () => {
      const b = await open('failing');
      async function* dying() {
        yield randomBytes(3 * MiB);
        yield randomBytes(3 * MiB);
        throw new Error('the source went away');
      }
      await expect(b.putObject('a.bin', Readable.from(dying()))).rejects.toThrow(/source went away|failed/);
      await expect(b.putObject('b.bin', Readable.from([Buffer.from('12345')]), { contentLength: 10 })).rejects.toMatchObject({
        message: expect.stringMatching(/only 5 bytes arrived where 10 were announced/),
      });
      await expect(b.putObject('c.bin', Readable.from([Buffer.from('12345')]), { contentLength: 3 })).rejects.toMatchObject({
        message: expect.stringMatching(/where 3 were announced/),
      });
      expect(await keysOf(b, '')).toEqual([]);
      expect(await h.leftovers('failing')).toEqual([]);
    }, 60_000);

    it('putIfAbsent creates once', async () => {
      const b = await open('ifabsent');
      expect(await b.putIfAbsent('locks/x.json', Buffer.from('one'))).toBe(true);
      expect(await b.putIfAbsent('locks/x.json', Buffer.from('two'))).toBe(false);
      expect((await (await b.getObject('locks/x.json')).toArray()).join('')).toBe('one');
      expect(await keysOf(b, '')).toEqual(['locks/x.json']);
      expect(await h.leftovers('ifabsent')).toEqual([]);
    });

    it('carries the repository format: marker, snapshots by date, locks', async () => {
      const b = await open('format');
      const { marker } = await initRepository(b);
      await expect(initRepository(b)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await openRepository(b)).marker).toEqual(marker);
      const ids = ['20261120T230000Z-shop-0001', '20261121T080000Z-shop-0002', '20261121T180000Z-science-0003', '20261201T000000Z-shop-0004'];
      for (const id of ids) await b.putObject(manifestKey(id), Readable.from([Buffer.from('{}')]));
      const inRange = await listSnapshots(b, { from: new Date('2026-11-21T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') });
      expect(inRange.map((r) => r.id)).toEqual([ids[1], ids[2]]);
      expect((await asOf(b, new Date('2026-11-30T00:00:00Z')))?.id).toBe(ids[2]);
      expect((await asOf(b, new Date('2026-11-30T00:00:00Z'), { set: 'shop' }))?.id).toBe(ids[1]);
      const lock = await acquireLock(b, 'maintenance', { owner: 'suite' });
      await expect(acquireLock(b, 'maintenance', { owner: 'other', attempts: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
      await lock.release();
      expect(await keysOf(b, 'locks/')).toEqual([]);
      // Another kind of content is not a repository.
      const foreign = await open('foreign');
      await foreign.putObject('photos/cat.jpg', Readable.from([Buffer.from('x')]));
      await expect(openRepository(foreign)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/not a Hindsight repository/) });
      await expect(initRepository(foreign)).rejects.toMatchObject({ code: 'CONFLICT' });
    }, 60_000);
  });
}
