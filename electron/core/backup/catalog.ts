/**
 * The catalog (issue 10 item 3, ARCHITECTURE §9): compact per-month segments of snapshot summaries,
 * so a year of snapshots is shown from a few objects instead of one manifest each. The manifests
 * stay the truth; the catalog is a cache kept in the repository, always rebuildable from them.
 *
 *   catalog/YYYY/MM/d-<snapshot-id>.json      one snapshot, written by its backup right after its manifest
 *   catalog/YYYY/MM/m-<hash>.json             a month merged: every summary of its deltas, written by a reader
 *
 * Each segment is `{"format":"hindsight-catalog/1","month":"YYYY-MM","entries":[summary…]}` and is
 * never changed once written (a merge writes a new one, then deletes what it merged), so a reader
 * caches segments by key. The months are those of the manifest keys (the snapshot id's UTC day).
 *
 * Reading a period: its manifest keys are listed as before (what exists is what the listing says);
 * the months' segments are listed and read; a snapshot the catalog lacks — its writer was cut off,
 * or an older version wrote it, or the catalog was deleted — is read from its manifest, and its
 * summary written back as a delta (best effort: a read-only reader just reads manifests). An entry
 * whose manifest is no longer listed (pruned) is ignored, and dropped by the next merge. A month
 * with several segments is merged once it is whole — its deltas replaced by one segment.
 *
 * Trust: a summary is what the timeline draws, as a manifest's summary always was; restoring,
 * verifying and browsing read the signed manifest itself.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SnapshotRefView, SnapshotSummary } from '../../../shared/contract/backup.js';
import { EncryptionKind, SourceKind } from '../../../shared/contract/snapshots.js';
import { createLogger } from '../log.js';
import { listKeys, readJsonObject, writeJsonObject, type RepositoryBackend } from '../repository/index.js';

const log = createLogger('catalog');
export const CATALOG_PREFIX = 'catalog/';
const FORMAT = 'hindsight-catalog/1';
/** Deltas a month may gather before a reader merges it, even while it is still filling. */
const MERGE_AFTER = 16;

export type CatalogEntry = Omit<SnapshotSummary, 'repositoryId' | 'verification'>;

const Entry = z.object({
  id: z.string().max(200),
  set: z.string().max(64),
  time: z.string().max(40),
  manifestKey: z.string().max(300),
  hostId: z.string().max(128),
  hostName: z.string().max(300),
  startedAt: z.string().max(40),
  completedAt: z.string().max(40),
  sources: z.array(z.object({ name: z.string().max(128), kind: SourceKind, rawBytes: z.number(), storedBytes: z.number() })).max(100),
  rawBytes: z.number(),
  storedBytes: z.number(),
  tags: z.array(z.string().max(64)).max(20),
  note: z.string().max(2000).optional(),
  encryption: EncryptionKind,
});
const Segment = z.object({ format: z.literal(FORMAT), month: z.string().regex(/^\d{4}-\d{2}$/), entries: z.array(Entry).max(200_000) });
type Segment = z.infer<typeof Segment>;

/** "snapshots/2026/11/21/<id>.json" → "2026/11". */
export function monthOf(manifestKey: string): string | undefined {
  return /^snapshots\/(\d{4}\/\d{2})\/\d{2}\//.exec(manifestKey)?.[1];
}

const segmentBody = (month: string, entries: CatalogEntry[]): Segment => ({ format: FORMAT, month: month.replace('/', '-'), entries });

/** After a manifest is written: its summary as a delta of its month. Never throws (the catalog is rebuilt when it lacks one). */
export async function recordInCatalog(backend: RepositoryBackend, entry: CatalogEntry, signal?: AbortSignal): Promise<void> {
  const month = monthOf(entry.manifestKey);
  if (!month) return;
  try {
    await writeJsonObject(backend, `${CATALOG_PREFIX}${month}/d-${entry.id}.json`, segmentBody(month, [entry]), signal ? { signal } : {});
  } catch (e) {
    log.warn(`could not add ${entry.id} to the catalog of ${backend.location} (it is rebuilt from the manifest when read)`, e instanceof Error ? e.message : e);
  }
}

/** Segments already read, by repository and key (they never change). */
export interface SegmentCache {
  get(key: string): CatalogEntry[] | undefined;
  set(key: string, entries: CatalogEntry[]): void;
}

export interface CatalogRead {
  /** The summaries the catalog has for the refs, by snapshot id. */
  entries: Map<string, CatalogEntry>;
  /** Every summary the months' segments hold, listed or not (a merge keeps what it cannot tell is gone). */
  all: Map<string, CatalogEntry>;
  /** Segment keys per month, for `mendCatalog`. */
  segments: Map<string, string[]>;
  /** Objects requested (lists and reads): what the catalog costs. */
  requests: number;
}

/** The catalog's summaries of the months `refs` fall in. An unreadable segment is skipped (its snapshots read from their manifests). */
export async function readCatalog(backend: RepositoryBackend, repositoryId: string, refs: SnapshotRefView[], cache: SegmentCache, signal?: AbortSignal): Promise<CatalogRead> {
  const months = [...new Set(refs.map((r) => monthOf(r.manifestKey)).filter((m): m is string => !!m))];
  const all = new Map<string, CatalogEntry>();
  const segments = new Map<string, string[]>();
  let requests = 0;
  await Promise.all(
    months.map(async (month) => {
      requests++;
      const keys = (await listKeys(backend, `${CATALOG_PREFIX}${month}/`, signal ? { signal } : {})).filter((k) => k.endsWith('.json'));
      segments.set(month, keys);
      for (const key of keys) {
        const cacheKey = `${repositoryId}\n${key}`;
        let list = cache.get(cacheKey);
        if (!list) {
          requests++;
          try {
            list = (await readJsonObject(backend, key, Segment, signal ? { signal } : {})).entries;
          } catch (e) {
            if (signal?.aborted) throw e;
            log.warn(`catalog segment ${key} of ${backend.location} is unreadable; its snapshots are read from their manifests`, e instanceof Error ? e.message : e);
            continue;
          }
          cache.set(cacheKey, list);
        }
        for (const e of list) all.set(e.id, e);
      }
    }),
  );
  // Only what the listing of manifests says exists, and under the key it says.
  const listed = new Map(refs.map((r) => [r.id, r.manifestKey]));
  const entries = new Map([...all].filter(([id, e]) => listed.get(id) === e.manifestKey));
  return { entries, all, segments, requests };
}

/**
 * Brings the months of `refs` up to date after a read: the summaries the catalog lacked
 * (`found`, read from their manifests) are written as one delta per month; a month that now has
 * more than one segment and is whole (before the current one) or has gathered many is merged into
 * one. Best effort: logged, never thrown (a reader without write access keeps reading manifests).
 */
export async function mendCatalog(
  backend: RepositoryBackend,
  read: CatalogRead,
  x: { refs: SnapshotRefView[]; found: CatalogEntry[]; now: Date; covers: (month: string) => boolean },
): Promise<void> {
  const { refs, found, now } = x;
  try {
    const byMonth = new Map<string, CatalogEntry[]>();
    for (const e of found) {
      const m = monthOf(e.manifestKey);
      if (m) byMonth.set(m, [...(byMonth.get(m) ?? []), e]);
    }
    const current = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    for (const [month, keys] of read.segments) {
      const missing = byMonth.get(month) ?? [];
      const whole = month < current;
      if (missing.length && !(whole || keys.length + 1 >= MERGE_AFTER)) {
        const newest = missing.map((e) => e.id).sort().at(-1)!;
        await writeJsonObject(backend, `${CATALOG_PREFIX}${month}/d-${newest}-${missing.length}.json`, segmentBody(month, missing));
        continue;
      }
      if (!missing.length && (keys.length <= 1 || !(whole || keys.length >= MERGE_AFTER))) continue;
      // Merge: what the segments hold and what was just read. Entries whose manifest is gone are
      // dropped only when the listing covered the whole month (otherwise nothing tells they are gone).
      const listed = new Set(refs.map((r) => r.id));
      const covered = x.covers(month);
      const merged = new Map<string, CatalogEntry>();
      for (const e of [...read.all.values(), ...missing]) if (monthOf(e.manifestKey) === month && (!covered || listed.has(e.id))) merged.set(e.id, e);
      const monthRefs = refs.filter((r) => monthOf(r.manifestKey) === month);
      if (monthRefs.some((r) => !merged.has(r.id))) continue; // not every summary at hand (a manifest unreadable): left as it is
      const all = [...merged.values()];
      const ids = all.map((e) => e.id).sort();
      const key = `${CATALOG_PREFIX}${month}/m-${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16)}.json`;
      if (keys.length === 1 && keys[0] === key) continue;
      await writeJsonObject(backend, key, segmentBody(month, all.sort((a, b) => (a.id < b.id ? -1 : 1))));
      for (const old of keys) if (old !== key) await backend.deleteObject(old).catch(() => undefined);
    }
  } catch (e) {
    log.warn(`could not bring the catalog of ${backend.location} up to date (manifests are read instead)`, e instanceof Error ? e.message : e);
  }
}
