/**
 * Finding snapshots by date, from the manifests' keys alone (`snapshots/YYYY/MM/DD/<id>.json`):
 * the id says when a snapshot was taken and of which backup set, so no manifest is read here.
 *
 * A snapshot's time is its id's time: when the backup STARTED (whole seconds, UTC). "As of
 * Friday 18:00" therefore picks the newest backup begun by 18:00, whose data is from then.
 */
import { parseSnapshotId } from '../../../../shared/snapshot-id.js';
import type { RepositoryBackend, SignalOption } from '../backend.js';
import { SNAPSHOTS_PREFIX, dayPrefix, idFromManifestKey, prefixesForRange } from './layout.js';

export interface SnapshotRef {
  id: string;
  set: string;
  time: Date;
  manifestKey: string;
}

export interface ListSnapshotsOptions extends SignalOption {
  /** Inclusive. Absent: from the repository's first year. */
  from?: Date;
  /** Inclusive. Absent: now. */
  to?: Date;
  /** Only snapshots of this backup set. */
  set?: string;
  now?: () => Date;
}

/** The manifests under one prefix, as refs, filtered; `signal` is checked between pages. */
async function refsUnder(backend: RepositoryBackend, prefix: string, keep: (r: SnapshotRef) => boolean, signal?: AbortSignal): Promise<SnapshotRef[]> {
  const out: SnapshotRef[] = [];
  for await (const o of backend.list(prefix, { signal })) {
    const id = idFromManifestKey(o.key);
    const parts = id ? parseSnapshotId(id) : null;
    if (!id || !parts) continue;
    const ref = { id, set: parts.set, time: parts.time, manifestKey: o.key };
    if (keep(ref)) out.push(ref);
  }
  return out;
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The numbered subdirectories (years, months, days) of `prefix`, as numbers, newest first. */
async function numbered(backend: RepositoryBackend, prefix: string, width: number, signal?: AbortSignal): Promise<number[]> {
  const re = new RegExp(`^\\d{${width}}/$`);
  return (await collect(backend.listPrefixes(prefix, { signal })))
    .map((p) => p.slice(prefix.length))
    .filter((rest) => re.test(rest))
    .map((rest) => Number(rest.slice(0, width)))
    .sort((a, b) => b - a);
}

const wholeSecond = (t: Date) => new Date(Math.floor(t.getTime() / 1000) * 1000);

/**
 * Snapshots taken in [from, to], oldest first. Lists only the day prefixes of that period (whole
 * months and years collapsed into one prefix each: see prefixesForRange).
 */
export async function listSnapshots(backend: RepositoryBackend, opts: ListSnapshotsOptions = {}): Promise<SnapshotRef[]> {
  const to = opts.to ?? opts.now?.() ?? new Date();
  let from = opts.from;
  if (!from) {
    const years = (await numbered(backend, SNAPSHOTS_PREFIX, 4, opts.signal)).filter((y) => y <= to.getUTCFullYear());
    if (!years.length) return [];
    from = new Date(Date.UTC(years[years.length - 1]!, 0, 1));
  }
  const lo = wholeSecond(from).getTime();
  const hi = to.getTime();
  const keep = (r: SnapshotRef) => r.time.getTime() >= lo && r.time.getTime() <= hi && (!opts.set || r.set === opts.set);
  const out: SnapshotRef[] = [];
  for (const prefix of prefixesForRange(from, to)) out.push(...(await refsUnder(backend, prefix, keep, opts.signal)));
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface AsOfOptions extends SignalOption {
  set?: string;
  /** Don't look further back than this (a bound for a set that has no snapshot at all). */
  notBefore?: Date;
}

/**
 * The newest snapshot taken at or before `at` (optionally of one set), or null.
 *
 * Walks the date hierarchy newest-first instead of day by day: list the years (one request),
 * then the months of the newest candidate year, then its days, then the manifests of the newest
 * candidate day; only when that day holds nothing suitable does it step to the previous existing
 * day, month or year. Typically four list requests, however long ago the snapshot is and however
 * many empty days lie in between — no bound on how far back it can find one, no index to maintain.
 */
export async function asOf(backend: RepositoryBackend, at: Date, opts: AsOfOptions = {}): Promise<SnapshotRef | null> {
  const { signal } = opts;
  const limit = at.getTime();
  const floor = opts.notBefore?.getTime() ?? -Infinity;
  const atY = at.getUTCFullYear();
  const atM = at.getUTCMonth() + 1;
  const atD = at.getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');

  for (const y of await numbered(backend, SNAPSHOTS_PREFIX, 4, signal)) {
    if (y > atY) continue;
    if (Date.UTC(y + 1, 0, 1) <= floor) return null;
    const yearPrefix = `${SNAPSHOTS_PREFIX}${y}/`;
    for (const m of await numbered(backend, yearPrefix, 2, signal)) {
      if (y === atY && m > atM) continue;
      if (Date.UTC(y, m, 1) <= floor) return null;
      const monthPrefix = `${yearPrefix}${pad(m)}/`;
      for (const d of await numbered(backend, monthPrefix, 2, signal)) {
        if (y === atY && m === atM && d > atD) continue;
        if (Date.UTC(y, m - 1, d + 1) <= floor) return null;
        const prefix = dayPrefix(new Date(Date.UTC(y, m - 1, d)));
        const refs = await refsUnder(
          backend,
          prefix,
          (r) => r.time.getTime() <= limit && r.time.getTime() >= floor && (!opts.set || r.set === opts.set),
          signal,
        );
        if (refs.length) return refs.reduce((best, r) => (r.id > best.id ? r : best));
      }
    }
  }
  return null;
}
