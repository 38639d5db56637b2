/**
 * The catalog (catalog.ts) over a local repository of 600 manifests across four months: the
 * summaries it gives are exactly the manifests' — when it is empty, complete, deleted, missing a
 * snapshot an older version wrote, or holding one since pruned — and once built a whole period is
 * a few requests instead of one read per manifest.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRepository } from '../../../bench/ui/seed.js';
import { LocalBackend, listKeys, manifestKey, type RepositoryBackend } from '../repository/index.js';
import { CATALOG_PREFIX } from './catalog.js';
import { SnapshotSummaryCache, snapshotSummaries } from './snapshot-summaries.js';
import { counted } from '../repository/testing/counted.js';

const END = new Date('2026-06-15T12:00:00Z');
let dir: string;
let repo: RepositoryBackend;
let ids: string[];


const all = { limit: 5000, now: () => END };
const summaries = async (q: { from?: string; to?: string; set?: string } = {}, cache = new SnapshotSummaryCache()) => {
  const c = counted(repo);
  const out = await snapshotSummaries(c.view, 'r', { ...all, ...q }, cache);
  return { out, cache, n: c.n };
};

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-catalog-'));
  seedRepository(dir, 600, { days: 100, end: END });
  repo = new LocalBackend(dir);
  ids = (await listKeys(repo, 'snapshots/')).map((k) => path.basename(k, '.json'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the catalog', () => {
  let truth: Awaited<ReturnType<typeof summaries>>['out'];

  it('empty: every manifest read once, and the catalog built — one segment per whole month, deltas for the current one', async () => {
    const first = await summaries();
    truth = first.out;
    expect(first.cache.reads).toBe(600);
    expect(truth.items.map((s) => s.id)).toEqual(ids);
    const keys = await listKeys(repo, CATALOG_PREFIX);
    const months = [...new Set(keys.map((k) => k.split('/').slice(1, 3).join('/')))].sort();
    expect(months).toEqual(['2026/03', '2026/04', '2026/05', '2026/06']);
    for (const m of ['2026/03', '2026/04', '2026/05']) expect(keys.filter((k) => k.startsWith(`${CATALOG_PREFIX}${m}/`)).map((k) => path.basename(k)[0])).toEqual(['m']);
  });

  it('built: the same summaries with no manifest read, in a few requests', async () => {
    const again = await summaries();
    expect(again.out).toEqual(truth);
    expect(again.cache.reads).toBe(0);
    // The listing of the manifest keys, then per month one listing and its segments.
    expect(again.n.gets).toBeLessThanOrEqual(4 + 1);
    expect(again.cache.catalogRequests).toBeLessThanOrEqual(4 * 2 + 1);
  });

  it('a manifest an older version wrote (no catalog entry) is read alone, then part of its month', async () => {
    const src = ids[200]!; // in April
    const copy = src.replace(/-[0-9a-f]{4}$/, '-beef');
    const body = await fs.readFile(path.join(dir, manifestKey(src)), 'utf8');
    await fs.writeFile(path.join(dir, manifestKey(copy)), body.replaceAll(src, copy));
    const one = await summaries();
    expect(one.cache.reads).toBe(1);
    expect(one.out.items.find((s) => s.id === copy)).toMatchObject({ id: copy, set: truth.items[200]!.set });
    const april = await listKeys(repo, `${CATALOG_PREFIX}2026/04/`);
    expect(april).toHaveLength(1);
    expect((await summaries()).cache.reads).toBe(0);
    await fs.rm(path.join(dir, manifestKey(copy)));
  });

  it('a pruned snapshot is not shown, and a merge covering its whole month drops it', async () => {
    const gone = ids[10]!; // in March
    const body = await fs.readFile(path.join(dir, manifestKey(gone)));
    await fs.rm(path.join(dir, manifestKey(gone)));
    const after = await summaries();
    expect(after.out.items.map((s) => s.id)).toEqual(ids.filter((id) => id !== gone));
    await fs.writeFile(path.join(dir, manifestKey(gone)), body);
  });

  it('a period inside a month reads only that month, and a merge there keeps the rest of the month', async () => {
    const april = truth.items.filter((s) => s.time.startsWith('2026-04'));
    const q = { from: april[10]!.time, to: april[20]!.time };
    const part = await summaries(q);
    expect(part.out.items).toEqual(truth.items.filter((s) => s.time >= q.from && s.time <= q.to));
    expect(part.cache.reads).toBe(0);
    expect((await summaries()).out).toEqual(truth);
  });

  it('deleted: rebuilt from the manifests, the same summaries', async () => {
    for (const k of await listKeys(repo, CATALOG_PREFIX)) await repo.deleteObject(k);
    const rebuilt = await summaries();
    expect(rebuilt.cache.reads).toBe(600);
    expect(rebuilt.out).toEqual(truth);
    expect((await summaries()).cache.reads).toBe(0);
  });

  it('a broken segment is passed over: its snapshots come from their manifests', async () => {
    const [m] = await listKeys(repo, `${CATALOG_PREFIX}2026/05/`);
    await fs.writeFile(path.join(dir, m!), '{"format":"hindsight-catalog/1","month":"2026-05","entries":[{"id":1}]}');
    const r = await summaries();
    expect(r.out).toEqual(truth);
    expect(r.cache.reads).toBe(truth.items.filter((s) => s.time.startsWith('2026-05')).length);
  });
});
