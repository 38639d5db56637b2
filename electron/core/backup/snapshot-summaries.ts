/**
 * snapshots.summaries: the snapshots of a period as the timeline draws them. Only the period's day
 * prefixes are listed (browseList), and only those manifests are read — once: manifests never
 * change, so their summaries are cached (LRU, keyed by repository + manifest key). The newest
 * verification of each comes from verify/<id>/<time>.json: verify/ is listed once per call (there
 * are few records) and each record, also immutable, is cached.
 */
import type { SnapshotRefView, SnapshotSummaries, SnapshotSummary } from '../../../shared/contract/backup.js';
import { Manifest } from '../../../shared/contract/snapshots.js';
import { readJsonObject, type RepositoryBackend } from '../repository/index.js';
import { listPeriod, periodOf, type DateOptions } from './browse.js';
import { mendCatalog, readCatalog, type CatalogEntry } from './catalog.js';
import { newestVerifyKeys, VerifyRecord } from './verify-records.js';
import { LRUCache } from 'lru-cache';

/** Summaries kept in memory (a summary is a few hundred bytes). */
export const SUMMARY_CACHE_BYTES = 32 * 1024 * 1024;
/** Manifests read at once when the cache misses. */
const READ_CONCURRENCY = 8;

type Verification = SnapshotSummary['verification'];

/** Rough bytes an object holds in memory: its JSON in UTF-16 (objects cost more, strings dominate). */
export const approxBytes = (v: unknown): number => Math.max(1, JSON.stringify(v).length * 2);

/**
 * Summaries of manifests (immutable: cached by repository + key) and verify records, bounded in
 * bytes — a repository of years of snapshots with long notes and many sources cannot grow it.
 */
export class SnapshotSummaryCache {
  readonly manifests = new LRUCache<string, Omit<SnapshotSummary, 'verification'>>({ maxSize: SUMMARY_CACHE_BYTES, sizeCalculation: approxBytes });
  readonly verifications = new LRUCache<string, { v: Verification }>({ maxSize: SUMMARY_CACHE_BYTES / 4, sizeCalculation: approxBytes });
  /** Catalog segments (catalog.ts), immutable too. */
  readonly segments = new LRUCache<string, CatalogEntry[]>({ maxSize: SUMMARY_CACHE_BYTES, sizeCalculation: approxBytes });
  /** Manifests read from the repository (tests check that the cache, the catalog and the date range work). */
  reads = 0;
  /** Requests the catalog took (lists and segment reads). */
  catalogRequests = 0;
}

export function summaryOf(repositoryId: string, ref: SnapshotRefView, m: Manifest): Omit<SnapshotSummary, 'verification'> {
  return { ...catalogEntryOf(ref, m), repositoryId };
}

/** A manifest's summary as the catalog keeps it (catalog.ts). */
export function catalogEntryOf(ref: SnapshotRefView, m: Manifest): CatalogEntry {
  const sum = (pick: (s: Manifest['sources'][number]) => number) => m.sources.reduce((n, s) => n + pick(s), 0);
  return {
    ...ref,
    hostId: m.sourceHost.id,
    hostName: m.sourceHost.name,
    startedAt: m.startedAt,
    completedAt: m.completedAt,
    sources: m.sources.map((s) => ({ name: s.name, kind: s.kind, rawBytes: s.rawBytes, storedBytes: s.storedBytes })),
    rawBytes: sum((s) => s.rawBytes),
    storedBytes: sum((s) => s.storedBytes),
    tags: m.tags,
    ...(m.note ? { note: m.note } : {}),
    encryption: m.sources.find((s) => s.encryption !== 'none')?.encryption ?? 'none',
  };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The newest verify record key of each snapshot in `ids`. */
export async function snapshotSummaries(
  backend: RepositoryBackend,
  repositoryId: string,
  q: { set?: string | undefined; from?: string | undefined; to?: string | undefined; limit: number } & DateOptions,
  cache: SnapshotSummaryCache,
  signal?: AbortSignal,
): Promise<SnapshotSummaries> {
  const period = periodOf(q);
  const refs = await listPeriod(backend, period, q.set, signal);
  const truncated = refs.length > q.limit;
  const chosen = refs.slice(0, q.limit);
  // The catalog's summaries first (catalog.ts); a snapshot it lacks is read from its manifest.
  const catalog = await readCatalog(backend, repositoryId, chosen, cache.segments, signal);
  cache.catalogRequests += catalog.requests;
  const found: CatalogEntry[] = [];
  const base = await mapLimit(chosen, READ_CONCURRENCY, async (ref) => {
    const listed = catalog.entries.get(ref.id);
    if (listed) return { ...listed, repositoryId };
    const key = `${repositoryId}\n${ref.manifestKey}`;
    let summary = cache.manifests.get(key);
    if (!summary) {
      cache.reads++;
      summary = summaryOf(repositoryId, ref, await readJsonObject(backend, ref.manifestKey, Manifest, signal ? { signal } : {}));
      cache.manifests.set(key, summary);
    }
    const { repositoryId: _, ...entry } = summary;
    found.push(entry);
    return summary;
  });
  // What the catalog lacked is written back, and whole months merged; a month counts as listed in
  // full when the period covers it and no set filter narrowed the listing.
  const covers = (month: string) => {
    const [y, m] = month.split('/').map(Number) as [number, number];
    const start = Date.UTC(y, m - 1, 1);
    const end = Date.UTC(y, m, 1) - 1;
    return !q.set && !truncated && (!period.from || period.from.getTime() <= start) && period.to.getTime() >= end;
  };
  await mendCatalog(backend, catalog, { refs: chosen, found, now: period.now, covers });
  const wanted = new Set(chosen.map((r) => r.id));
  const verifyKeys = chosen.length ? await newestVerifyKeys(backend, (id) => wanted.has(id), signal) : new Map<string, string>();
  const items = await mapLimit(base, READ_CONCURRENCY, async (s): Promise<SnapshotSummary> => {
    const vk = verifyKeys.get(s.id);
    if (!vk) return { ...s, verification: null };
    const key = `${repositoryId}\n${vk}`;
    let v = cache.verifications.get(key)?.v;
    if (v === undefined) {
      try {
        const r = await readJsonObject(backend, vk, VerifyRecord, signal ? { signal } : {});
        v = { ok: r.ok, at: r.at, hostName: r.hostName, ...(r.error ? { error: r.error } : {}) };
      } catch {
        v = null; // an unreadable record says nothing
      }
      cache.verifications.set(key, { v });
    }
    return { ...s, verification: v };
  });
  return { items, truncated };
}
