/**
 * The S3 backend against the lab's real S3 server (s3rver behind lab/s3-server.mjs), directly and
 * through a fault-injecting proxy. Every run writes under its own prefix and removes it afterwards.
 *
 * "No orphan multipart upload" is checked twice: through the proxy, that the backend SENT
 * AbortMultipartUpload for the upload it had started, and with ListMultipartUploads, that none is
 * left (s3rver lacks both calls; the lab's wrapper, lab/s3-server.mjs, answers them from its store).
 * An upload of a killed process is aborted later from the upload journal (upload-journal.ts).
 */
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLab } from '../../testing/lab.js';
import { describeBackendBehaviour, keysOf, randomStream } from '../testing/backend-suite.js';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.js';
import { S3Backend, type S3BackendOptions } from './s3-backend.js';
import { UploadJournal } from './upload-journal.js';

const lab = readLab();
const s3 = lab.s3!;
const dataDir = (lab.s3 as { dataDir?: string }).dataDir;
const BUCKET = s3.buckets[0]!;
const RUN = `hs-test-${process.pid}-${randomBytes(3).toString('hex')}`;

function backend(prefix: string, over: Partial<S3BackendOptions> = {}): S3Backend {
  return new S3Backend({
    name: 'lab-s3',
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    bucket: BUCKET,
    prefix: `${RUN}/${prefix}`,
    credentials: { source: 'keys', accessKeyId: s3.accessKeyId },
    secrets: { secretAccessKey: s3.secretAccessKey },
    maxAttempts: 3,
    ...over,
  });
}

async function removeRun(): Promise<void> {
  const root = backend('');
  for (const key of await keysOf(root, '')) await root.deleteObject(key);
  await root.close();
  // Tidy the lab: uploads a failing test left open (in <data dir>/<bucket>/._S3rver_uploads/<id>/,
  // with the key in a file named "key").
  if (!dataDir) return;
  const uploads = path.join(dataDir, BUCKET, '._S3rver_uploads');
  for (const id of await fs.readdir(uploads).catch(() => [] as string[])) {
    const key = await fs.readFile(path.join(uploads, id, 'key'), 'utf8').catch(() => '');
    if (key.startsWith(`${RUN}/`)) await fs.rm(path.join(uploads, id), { recursive: true, force: true });
  }
}

describeBackendBehaviour('S3 (lab s3rver)', () => ({
  backend: async (sub) => backend(`suite/${sub}`),
  // S3 has no temp objects; multipart leftovers are checked below, through the proxy.
  leftovers: async () => [],
  cleanup: removeRun,
  looseOrderForDirLikeSiblings: true,
}));

describe('S3 backend against the lab server, particulars and failures', () => {
  let proxy: FaultProxy;
  const opened: S3Backend[] = [];
  const viaProxy = (prefix: string, over: Partial<S3BackendOptions> = {}) => {
    const b = backend(prefix, { endpoint: proxy.url, ...over });
    opened.push(b);
    return b;
  };
  beforeAll(async () => {
    proxy = await startFaultProxy(s3.endpoint);
  });
  afterAll(async () => {
    for (const b of opened) await b.close();
    await proxy.close();
    await removeRun();
  });

  it('pages through a listing (ListObjects with Marker) with a small page size', async () => {
    const b = viaProxy('paging', { listPageSize: 7 });
    const keys = Array.from({ length: 23 }, (_, i) => `p/${String(i).padStart(2, '0')}`);
    for (const k of keys) await b.putObject(k, Readable.from([Buffer.from(k)]));
    proxy.requests.length = 0;
    expect(await keysOf(b, 'p/')).toEqual(keys);
    expect(proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('max-keys=7'))).toHaveLength(4);
  });

  it('a large object of known size is read as parallel ranged GETs, byte for byte; another size is refused', async () => {
    const b = viaProxy('ranged');
    const body = randomBytes(20 * 1024 * 1024 + 12345);
    await b.putObject('big', Readable.from([body]));
    proxy.requests.length = 0;
    const chunks: Buffer[] = [];
    for await (const c of await b.getObject('big', { expectedSize: body.length })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    // 8 MiB parts: three ranged requests.
    expect(proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('/big'))).toHaveLength(3);
    const wrong = async () => {
      for await (const c of await b.getObject('big', { expectedSize: body.length - 1 })) void c;
    };
    await expect(wrong()).rejects.toThrow(/big is 20983865 bytes long where 20983864 were recorded/);
  });

  it('a wrong access key is a clear AUTH_FAILED, and nothing is written', async () => {
    const bad = backend('auth', { credentials: { source: 'keys', accessKeyId: 'nobody' } });
    opened.push(bad);
    await expect(keysOf(bad, '')).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringMatching(/refused the credentials \(InvalidAccessKeyId\)/) });
    await expect(bad.putObject('x', Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(bad.putObject('big', randomStream(20 << 20).stream)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(await keysOf(backend('auth'), '')).toEqual([]);
  });

  it('credentials: a missing stored secret, and the environment', async () => {
    const noSecret = backend('creds', { secrets: {} });
    opened.push(noSecret);
    await expect(noSecret.stat('x')).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringMatching(/no secret access key is stored/) });
    const emptyEnv = backend('creds', { credentials: { source: 'env' }, env: {} });
    opened.push(emptyEnv);
    await expect(emptyEnv.stat('x')).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringMatching(/AWS_ACCESS_KEY_ID/) });
    const fromEnv = backend('creds', { credentials: { source: 'env' }, env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } });
    opened.push(fromEnv);
    await fromEnv.putObject('env.txt', Readable.from([Buffer.from('ok')]));
    expect(await keysOf(fromEnv, '')).toEqual(['env.txt']);
  });

  it('retries server errors, and succeeds when they stop', async () => {
    const b = viaProxy('retry');
    proxy.requests.length = 0;
    proxy.setRule({ count: 2, status: 503 });
    await b.putObject('small.txt', Readable.from([Buffer.from('hello')]));
    expect(proxy.requests.map((r) => r.injected ?? 'forwarded')).toEqual([503, 503, 'forwarded']);
    proxy.setRule({ count: 2, status: 500 });
    expect(await keysOf(b, '')).toEqual(['small.txt']);
    proxy.setRule(null);
  }, 30_000);

  it('gives up after maxAttempts with a clean error, leaving nothing', async () => {
    const b = viaProxy('giveup');
    proxy.requests.length = 0;
    proxy.setRule({ count: Infinity, status: 500 });
    await expect(b.putObject('small.txt', Readable.from([Buffer.from('hello')]))).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/kept failing \(HTTP 500 InternalError\) after 3 attempts/),
    });
    expect(proxy.requests).toHaveLength(3);
    proxy.setRule(null);
    expect(await keysOf(b, '')).toEqual([]);
  }, 30_000);

  it('parts grow to fit an object of unknown size; larger parts are staged on disk and removed; one that outgrows them all is stopped, clearly, and aborted', async () => {
    // S3's limit is 10,000 parts; 3 here: growing from 5 MiB they hold 5 + 10 + 20 MiB.
    const spoolDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hs-spool-'));
    const b = viaProxy('parts', { partSize: 5 << 20, maxParts: 3, spoolDir });
    const body = randomBytes(30 << 20);
    proxy.requests.length = 0;
    const spooled = new Set<string>();
    const watch = setInterval(() => void fs.readdir(spoolDir).then((names) => names.forEach((n) => spooled.add(n)), () => undefined), 5);
    try {
      await b.putObject('unsized.bin', Readable.from([body.subarray(0, 7 << 20), body.subarray(7 << 20)]));
    } finally {
      clearInterval(watch);
    }
    const parts = proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('partNumber='));
    expect(parts.map((r) => Number(/partNumber=(\d+)/.exec(r.url)![1])).sort()).toEqual([1, 2, 3]);
    // Parts 2 and 3 (10 and 20 MiB, above the configured 5) went through spool files, now gone.
    expect(spooled.size).toBeGreaterThanOrEqual(1);
    expect(await fs.readdir(spoolDir)).toEqual([]);
    const back: Buffer[] = [];
    for await (const c of await b.getObject('unsized.bin')) back.push(c as Buffer);
    expect(Buffer.concat(back).equals(body)).toBe(true);

    // A known size that fits the configured parts keeps them (lib-storage): 12 MiB in 5 + 5 + 2.
    proxy.requests.length = 0;
    await b.putObject('sized.bin', Readable.from([body.subarray(0, 12 << 20)]), { expectedBytes: 12 << 20 });
    expect(proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('partNumber='))).toHaveLength(3);

    // 40 MiB: past the 35 MiB the three can hold; the fourth part is never sent.
    const over = viaProxy('parts-over', { partSize: 5 << 20, maxParts: 3, spoolDir });
    proxy.requests.length = 0;
    const err = await over.putObject('over.bin', Readable.from([body, randomBytes(10 << 20)])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/over\.bin grew past 35 MiB, the most 3 growing parts can hold \(S3's limit\)/) });
    expect(proxy.requests.some((r) => r.url.includes('partNumber=4'))).toBe(false);
    await expectAbortSent(over, 'over.bin');
    expect(await fs.readdir(spoolDir)).toEqual([]);
    await fs.rm(spoolDir, { recursive: true, force: true });
  }, 60_000);

  it('a spool folder that cannot be written fails the upload with where and why, and aborts it', async () => {
    const b = viaProxy('spool-bad', { partSize: 5 << 20, maxParts: 3, spoolDir: '/proc/hindsight-no-such-dir' });
    const err = await b.putObject('nospool.bin', Readable.from([randomBytes(12 << 20)])).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringMatching(/Could not spool part 2 .* in \/proc\/hindsight-no-such-dir/) });
    await expectAbortSent(b, 'nospool.bin');
  }, 60_000);

  it('a part that keeps failing fails the upload cleanly and aborts the multipart upload', async () => {
    const b = viaProxy('partfail');
    proxy.requests.length = 0;
    proxy.setRule({ count: Infinity, status: 503, match: (r) => r.method === 'PUT' && r.url.includes('partNumber=2') });
    const err = await b.putObject('big.bin', randomStream(20 << 20).stream).catch((e: unknown) => e);
    proxy.setRule(null);
    expect(err).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/kept failing \(HTTP 503 SlowDown\) after 3 attempts/) });
    expect(proxy.requests.filter((r) => r.url.includes('partNumber=2'))).toHaveLength(3);
    await expectAbortSent(b, 'big.bin');
  }, 60_000);

  it('cancelling mid-upload aborts the multipart upload; the object never appears', async () => {
    const b = viaProxy('cancel');
    proxy.requests.length = 0;
    const ac = new AbortController();
    const body = new PassThrough();
    const put = b.putObject('big.bin', body, { signal: ac.signal });
    put.catch(() => undefined);
    for (let i = 0; i < 12; i++) if (!body.write(randomBytes(1 << 20))) await new Promise((r) => body.once('drain', r));
    const started = Date.now();
    while (!proxy.requests.some((r) => r.url.includes('partNumber=1')) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const err = await put.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    await expectAbortSent(b, 'big.bin');
    expect(await openUploads('cancel/')).toEqual([]);
  }, 60_000);

  it("a killed process's upload is aborted from the journal; a live process's is left alone", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hs-uploads-'));
    try {
      const journal = new UploadJournal(dir, 'repo-1');
      const b = backend('orphan/', { uploadJournal: journal });
      opened.push(b);
      // A process that dies after S3 handed out the upload id: its journal entry stays behind.
      const started = async (pid: number) => {
        const key = `${RUN}/orphan/${pid}.bin`;
        const { UploadId } = await b.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
        await journal.started(BUCKET, key, UploadId!);
        const file = (await fs.readdir(dir)).map((n) => path.join(dir, n));
        for (const f of file) {
          const e = JSON.parse(await fs.readFile(f, 'utf8')) as { uploadId: string };
          if (e.uploadId === UploadId) await fs.writeFile(f, JSON.stringify({ ...e, pid }));
        }
        return key;
      };
      const dead = await started(2 ** 22 + 17); // no such pid
      const live = await started(process.pid);
      expect((await openUploads('orphan/')).sort()).toEqual([dead, live].sort());
      expect(await b.abortOrphanUploads()).toBe(1);
      expect(await openUploads('orphan/')).toEqual([live]);
      expect((await journal.orphans()).length).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('an unreachable endpoint is TCP_FAILED', async () => {
    const b = backend('x', { endpoint: 'http://127.0.0.1:9', maxAttempts: 2 });
    opened.push(b);
    await expect(b.stat('x')).rejects.toMatchObject({ code: 'TCP_FAILED', message: expect.stringMatching(/connection refused/) });
  });

  it('putIfAbsent on a server that ignores If-None-Match is best-effort, and says so', async () => {
    const b = backend('conditional');
    opened.push(b);
    expect(await b.capabilities()).toEqual({ atomicPutIfAbsent: false });
    expect(await b.putIfAbsent('m.json', Buffer.from('1'))).toBe(true);
    expect(await b.putIfAbsent('m.json', Buffer.from('2'))).toBe(false);
    expect(await keysOf(b, '')).toEqual(['m.json']); // the probe object is gone
  });

  /** Keys of the multipart uploads still open under this run's <sub> prefix. */
  async function openUploads(sub: string): Promise<string[]> {
    const b = backend('');
    opened.push(b);
    const out = await b.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `${RUN}/${sub}` }));
    return (out.Uploads ?? []).map((u) => u.Key!);
  }

  /** The proxy saw CreateMultipartUpload and then AbortMultipartUpload for the same upload id; no object. */
  async function expectAbortSent(b: S3Backend, key: string): Promise<void> {
    // (The parts s3rver keeps anyway are removed with the run, in removeRun.)
    const created = proxy.requests.find((r) => r.method === 'POST' && r.url.includes('uploads'));
    const uploadId = proxy.requests.map((r) => /[?&]uploadId=([^&]+)/.exec(r.url)?.[1]).find(Boolean);
    expect(created).toBeDefined();
    expect(uploadId).toBeDefined();
    expect(proxy.requests.some((r) => r.method === 'DELETE' && r.url.includes(`uploadId=${uploadId}`))).toBe(true);
    expect(proxy.requests.some((r) => r.method === 'POST' && r.url.includes(`uploadId=${uploadId}`))).toBe(false); // never completed
    expect(await b.stat(key)).toBeNull();
    expect(await keysOf(b, '')).toEqual([]);
  }
});
