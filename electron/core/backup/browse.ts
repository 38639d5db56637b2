/**
 * Browsing a repository by date: list (only the day prefixes of the period are listed — the
 * repository layer's listSnapshots does it), read one manifest, and "as of <date>" per backup set
 * and per source (source-picks.ts).
 */
import { parseAsOf } from '../../../shared/as-of.js';
import type { AsOfResult, SetPick, SnapshotRefView } from '../../../shared/contract/backup.js';
import { RpcError } from '../../../shared/contract/errors.js';
import { Manifest } from '../../../shared/contract/snapshots.js';
import { parseSnapshotId } from '../../../shared/snapshot-id.js';
import { asOf, listSnapshots, manifestKey, readJsonObject, type RepositoryBackend, type SnapshotRef } from '../repository/index.js';
import { readCheckedManifest, type TrustedWriters } from '../signing/index.js';
import { pickSources } from './source-picks.js';

export interface DateOptions {
  now?: () => Date;
  timeZone?: string;
}

const DAY = 86_400_000;
/** How far back "as of" looks for the sources the newest snapshot lacks, and for the sets present. */
export const AS_OF_LOOKBACK_MS = 31 * DAY;
/** Manifests read per set at most when looking for missing sources. */
const MAX_MANIFESTS_PER_SET = 20;

export function refView(r: SnapshotRef): SnapshotRefView {
  return { id: r.id, set: r.set, time: r.time.toISOString(), manifestKey: r.manifestKey };
}

/** The period a listing asks for: from its start (undefined: the oldest snapshot) to its end (default: now). */
export function periodOf(q: { from?: string | undefined; to?: string | undefined } & DateOptions): { from: Date | undefined; to: Date; now: Date } {
  const now = (q.now ?? (() => new Date()))();
  const from = q.from ? parseAsOf(q.from, { now, timeZone: q.timeZone, dayEdge: 'start' }).at : undefined;
  const to = q.to ? parseAsOf(q.to, { now, timeZone: q.timeZone, dayEdge: 'end' }).at : now;
  if (from && from.getTime() > to.getTime()) throw new RpcError('INVALID_INPUT', `The period is empty: ${from.toISOString()} is after ${to.toISOString()}.`);
  return { from, to, now };
}

export async function browseList(
  backend: RepositoryBackend,
  q: { set?: string | undefined; from?: string; to?: string } & DateOptions,
  signal?: AbortSignal,
): Promise<SnapshotRefView[]> {
  return listPeriod(backend, periodOf(q), q.set, signal);
}

/** The snapshots of a period already read (periodOf), optionally of one set. */
export async function listPeriod(backend: RepositoryBackend, period: ReturnType<typeof periodOf>, set: string | undefined, signal?: AbortSignal): Promise<SnapshotRefView[]> {
  const refs = await listSnapshots(backend, { from: period.from, to: period.to, set, now: () => period.now, signal });
  return refs.map(refView);
}

export async function readManifest(backend: RepositoryBackend, id: string, signal?: AbortSignal): Promise<Manifest> {
  if (!parseSnapshotId(id)) throw new RpcError('INVALID_INPUT', `"${id}" is not a snapshot id (they look like 20261121T221530Z-<set>-1a2b).`);
  try {
    return await readJsonObject(backend, manifestKey(id), Manifest, { signal });
  } catch (e) {
    if (RpcError.is(e) && e.code === 'NOT_FOUND') throw new RpcError('NOT_FOUND', `There is no snapshot ${id} in ${backend.location}.`);
    throw e;
  }
}

export interface AsOfQuery extends DateOptions {
  when: string;
  set?: string;
  /** The source names a set's definition has (saved sets), to find those its newest snapshot lacks. */
  wantedSources?: (set: string) => Promise<string[]> | string[];
  maxSpreadSeconds?: number;
  /**
   * The writers this console trusts: "as of" picks only snapshots they signed for their host
   * (untrusted ones are skipped, and said so). Without it every snapshot counts (tests of dates).
   */
  trusted?: TrustedWriters;
}

export async function browseAsOf(backend: RepositoryBackend, q: AsOfQuery, signal?: AbortSignal): Promise<AsOfResult> {
  const now = (q.now ?? (() => new Date()))();
  const parsed = parseAsOf(q.when, { now, timeZone: q.timeZone });
  const at = parsed.at;
  const warnings: string[] = [];
  let sets: string[];
  if (q.set) sets = [q.set];
  else {
    const recent = await listSnapshots(backend, { from: new Date(at.getTime() - AS_OF_LOOKBACK_MS), to: at, signal });
    sets = [...new Set(recent.map((r) => r.set))].sort();
    if (!sets.length) {
      const older = await asOf(backend, at, { signal });
      if (older) sets = [older.set];
    }
  }
  const picks: SetPick[] = [];
  for (const set of sets) {
    const latest = await asOf(backend, at, { set, signal });
    if (!latest) {
      warnings.push(`Set ${set} has no snapshot at or before ${at.toISOString()}.`);
      continue;
    }
    const wanted = q.wantedSources ? await q.wantedSources(set) : [];
    // The set's snapshots of the month before, newest first (the newest one always included).
    const window = await listSnapshots(backend, { set, from: new Date(Math.min(latest.time.getTime(), at.getTime() - AS_OF_LOOKBACK_MS)), to: at, signal });
    const refs = [latest, ...window.filter((r) => r.id !== latest.id && r.id < latest.id).reverse()];
    // With the set's definition: read back until every source it names is found. Without one (an
    // ad-hoc set), the set's sources are what its recent snapshots hold: read back until a snapshot
    // adds no source not seen yet. Snapshots no trusted writer signed are skipped.
    const manifests: Manifest[] = [];
    const seen = new Set<string>();
    let newest: SnapshotRef | undefined;
    const skipped: string[] = [];
    for (const ref of refs.slice(0, MAX_MANIFESTS_PER_SET)) {
      let m: Manifest;
      if (q.trusted) {
        const checked = await readCheckedManifest(backend, ref.id, q.trusted, signal);
        if (checked.trust.status !== 'trusted') {
          skipped.push(`${ref.id} (${checked.trust.status})`);
          continue;
        }
        m = checked.manifest;
      } else m = await readManifest(backend, ref.id, signal);
      newest ??= ref;
      manifests.push(m);
      const before = seen.size;
      for (const s of m.sources) seen.add(s.name);
      if (wanted.length ? wanted.every((n) => seen.has(n)) : manifests.length > 1 && seen.size === before) break;
    }
    if (skipped.length) warnings.push(`Set ${set}: skipped ${skipped.length} snapshot(s) not signed by a writer trusted for their host: ${skipped.join(', ')}.`);
    if (!newest) {
      warnings.push(`Set ${set} has no trusted snapshot at or before ${at.toISOString()}.`);
      continue;
    }
    const p = pickSources(manifests, wanted.length ? wanted : [...seen], q.maxSpreadSeconds);
    picks.push({ set, snapshot: refView(newest), ...p });
  }
  if (!picks.length && !warnings.length) warnings.push(`No snapshot at or before ${at.toISOString()} in ${backend.location}.`);
  return { at: at.toISOString(), interpretation: parsed.interpretation, sets: picks, warnings };
}
