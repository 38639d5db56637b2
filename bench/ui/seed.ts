/**
 * Seeds a local-folder repository with many snapshot manifests, laid out as the engine writes them
 * (electron/core/repository/format/layout.ts): hindsight-repo.json, then
 * snapshots/YYYY/MM/DD/<id>.json. Manifests only — no data objects: the timeline never reads
 * them, and 10,000 real backups would take hours. Every manifest is checked against the contract.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Manifest, type Manifest as ManifestT } from '../../shared/contract/snapshots.js';
import { MARKER_KEY, manifestKey } from '../../electron/core/repository/format/layout.js';
import { makeSnapshotId } from '../../shared/snapshot-id.js';

/** A small deterministic PRNG so two seeds of the same size are the same repository. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex64 = (rnd: () => number) => Array.from({ length: 64 }, () => Math.floor(rnd() * 16).toString(16)).join('');

interface SetPlan {
  set: string;
  host: { id: string; name: string };
  sources: { name: string; kind: 'volume' | 'postgres'; volume?: string; container?: string }[];
  tags: string[];
  weight: number;
}

const PLANS: SetPlan[] = [
  { set: 'shop', host: { id: 'production', name: 'production' }, sources: [{ name: 'shop_files', kind: 'volume', volume: 'shop_files' }, { name: 'shop-db', kind: 'postgres', container: 'shop-db-1' }], tags: ['nightly'], weight: 4 },
  { set: 'outpack', host: { id: 'science', name: 'science' }, sources: [{ name: 'outpack', kind: 'volume', volume: 'outpack' }], tags: ['science'], weight: 2 },
  { set: 'uat-db', host: { id: 'uat', name: 'uat' }, sources: [{ name: 'uat-db', kind: 'postgres', container: 'uat-db-1' }], tags: [], weight: 2 },
  { set: 'wiki', host: { id: 'production', name: 'production' }, sources: [{ name: 'wiki_data', kind: 'volume', volume: 'wiki_data' }], tags: ['weekly'], weight: 1 },
  { set: 'analytics', host: { id: 'science', name: 'science' }, sources: [{ name: 'warehouse', kind: 'postgres', container: 'warehouse-1' }], tags: ['science', 'large'], weight: 1 },
];

export interface SeedResult {
  repositoryPath: string;
  count: number;
  first: string;
  last: string;
}

/** Writes `count` manifests spread over the `days` days before `end`, several sets and hosts. */
export function seedRepository(repositoryPath: string, count: number, { days = 365, end = new Date(), seed = 42 } = {}): SeedResult {
  const rnd = mulberry32(seed);
  mkdirSync(repositoryPath, { recursive: true });
  writeFileSync(path.join(repositoryPath, MARKER_KEY), JSON.stringify({ format: 'hindsight/1', id: randomUUID(), createdAt: new Date(end.getTime() - days * 86400_000).toISOString(), encryption: { scheme: 'none' } }, null, 2));
  const totalWeight = PLANS.reduce((n, p) => n + p.weight, 0);
  const span = days * 86400_000;
  const times: number[] = Array.from({ length: count }, (_, i) => end.getTime() - span + ((i + rnd()) / count) * span);
  let first = '';
  let last = '';
  const madeDirs = new Set<string>();
  for (const t of times) {
    let pick = rnd() * totalWeight;
    const plan = PLANS.find((p) => (pick -= p.weight) < 0) ?? PLANS[0]!;
    const started = new Date(Math.floor(t / 1000) * 1000);
    const id = makeSnapshotId(plan.set, { now: started, random: rnd });
    let clock = started.getTime();
    const sources = plan.sources.map((s) => {
      const rawBytes = Math.floor((s.kind === 'postgres' ? 40e6 : 300e6) * (0.5 + rnd()) * (1 + (t - times[0]!) / span));
      const storedBytes = Math.floor(rawBytes * (0.25 + rnd() * 0.3));
      const seconds = 2 + rnd() * 60;
      const src = {
        name: s.name,
        kind: s.kind,
        origin: { hostId: plan.host.id, hostName: plan.host.name, ...(s.volume ? { volume: s.volume } : {}), ...(s.container ? { container: s.container, engineVersion: 'PostgreSQL 15.18' } : {}) },
        objectKey: `data/${id}/${s.name}.${s.kind === 'postgres' ? 'sql.zst' : 'tar.zst'}`,
        format: s.kind === 'postgres' ? ('sql' as const) : ('tar' as const),
        compression: 'zstd' as const,
        encryption: 'none' as const,
        rawBytes,
        storedBytes,
        rawSha256: hex64(rnd),
        storedSha256: hex64(rnd),
        ...(s.kind === 'volume' ? { fileCount: Math.floor(rnd() * 5000) } : { rowCounts: { 'public.orders': Math.floor(rnd() * 1e5), 'public.customers': Math.floor(rnd() * 1e4) } }),
        startedAt: new Date(clock).toISOString(),
        completedAt: new Date((clock += seconds * 1000)).toISOString(),
      };
      return src;
    });
    const manifest: ManifestT = Manifest.parse({
      format: 'hindsight/1',
      id,
      set: plan.set,
      sourceHost: plan.host,
      startedAt: started.toISOString(),
      completedAt: new Date(clock).toISOString(),
      tags: plan.tags,
      toolVersion: 'hindsight bench-seed',
      sources,
    });
    const key = manifestKey(id);
    const dir = path.join(repositoryPath, path.dirname(key));
    if (!madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      madeDirs.add(dir);
    }
    writeFileSync(path.join(repositoryPath, key), JSON.stringify(manifest));
    first ||= id;
    last = id;
  }
  return { repositoryPath, count, first, last };
}
