/**
 * The catalog on the lab's S3 server: 400 manifests over four months (copied from a seeded local
 * repository), the timeline's summaries of the whole period asked twice — the first time every
 * manifest is read and the catalog built, the second time the same summaries come from a handful
 * of requests; a manifest added afterwards by a writer without the catalog is read on its own.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRepository } from '../../../bench/ui/seed.js';
import { listKeys, LocalBackend, manifestKey, S3Backend } from '../repository/index.js';
import { readLab } from '../testing/lab.js';
import { SnapshotSummaryCache, snapshotSummaries } from './snapshot-summaries.js';
import { counted } from '../repository/testing/counted.js';

const s3 = readLab().s3!;
const END = new Date('2026-06-15T12:00:00Z');
const prefix = `hs-catalog-${randomBytes(3).toString('hex')}/`;
let dir: string;
let repo: S3Backend;


beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-catalog-s3-'));
  seedRepository(dir, 400, { days: 100, end: END });
  repo = new S3Backend({ name: 'lab-s3', endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, bucket: s3.buckets[0]!, prefix, credentials: { source: 'keys', accessKeyId: s3.accessKeyId }, secrets: { secretAccessKey: s3.secretAccessKey }, maxAttempts: 3 });
  const local = new LocalBackend(dir);
  const keys = await listKeys(local, '');
  for (let i = 0; i < keys.length; i += 16) {
    await Promise.all(keys.slice(i, i + 16).map(async (k) => repo.putObject(k, await local.getObject(k))));
  }
}, 180_000);

afterAll(async () => {
  if (repo) for (const k of await listKeys(repo, '')) await repo.deleteObject(k);
  await repo?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the catalog on S3', () => {
  it('built once from the manifests, then the period in a handful of requests with the same summaries', async () => {
    const first = counted(repo);
    const cache1 = new SnapshotSummaryCache();
    const built = await snapshotSummaries(first.view, 'lab', { limit: 5000, now: () => END }, cache1);
    expect(built.items).toHaveLength(400);
    expect(cache1.reads).toBe(400);

    const second = counted(repo);
    const cache2 = new SnapshotSummaryCache();
    const t0 = performance.now();
    const fast = await snapshotSummaries(second.view, 'lab', { limit: 5000, now: () => END }, cache2);
    const ms = performance.now() - t0;
    expect(fast).toEqual(built);
    expect(cache2.reads).toBe(0);
    // Manifest keys listed (the oldest, then a prefix per month), each month's catalog listed and its segments read.
    expect(second.n.gets + second.n.lists).toBeLessThanOrEqual(16);
    console.log(`catalog on S3: 400 summaries in ${ms.toFixed(0)} ms, ${second.n.gets} reads and ${second.n.lists} listings (first time: ${first.n.gets} reads)`);
  }, 120_000);

  it('a manifest written without the catalog is read on its own, then found in the catalog', async () => {
    const keys = await listKeys(repo, 'snapshots/2026/04/');
    const src = path.basename(keys[5]!, '.json');
    const copy = src.replace(/-[0-9a-f]{4}$/, '-beef');
    const body = Buffer.concat(await (await repo.getObject(manifestKey(src))).toArray()).toString('utf8');
    await repo.putObject(manifestKey(copy), Readable.from([Buffer.from(body.replaceAll(src, copy))]));
    const cache = new SnapshotSummaryCache();
    const r = await snapshotSummaries(repo, 'lab', { limit: 5000, now: () => END }, cache);
    expect(r.items.map((s) => s.id)).toContain(copy);
    expect(cache.reads).toBe(1);
    const again = new SnapshotSummaryCache();
    await snapshotSummaries(repo, 'lab', { limit: 5000, now: () => END }, again);
    expect(again.reads).toBe(0);
  }, 120_000);
});
