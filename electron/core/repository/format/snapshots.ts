/**
 * Finding snapshots by date, from the manifests' keys alone (`snapshots/YYYY/MM/DD/<id>.json`):
 * the id says when a snapshot was taken and of which backup set, so no manifest is read here.
 *
 * A snapshot's time is its id's time: when the backup STARTED (whole seconds, UTC). "As of
 * Friday 18:00" therefore picks the newest backup begun by 18:00, whose data is from then.
 */
import { parseSnapshotId } from '../../../../shared/snapshot-id.js';
import type { RepositoryBackend, SignalOption } from '../backend.js';
import { SNAPSHOTS_PREFIX, idFromManifestKey, prefixesForRange } from './layout.js';

export interface SnapshotRef {
  id: string;
  set: string;
  time: Date;
  manifestKey: string;
}

export interface ListSnapshotsOptions extends SignalOption {
  /** Inclusive. Absent: from the oldest snapshot. */
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

/** `snapshots/2026/11/`: the month of `t` (UTC). */
function monthPrefix(t: Date): string {
  return `${SNAPSHOTS_PREFIX}${t.getUTCFullYear()}/${String(t.getUTCMonth() + 1).padStart(2, '0')}/`;
}

/**
 * The time of the oldest snapshot, or null: keys come back in order, and manifest keys sort by
 * time, so this is the first manifest of one listing — usually a single request.
 */
export async function oldestSnapshotTime(backend: RepositoryBackend, signal?: AbortSignal): Promise<Date | null> {
  for await (const o of backend.list(SNAPSHOTS_PREFIX, { signal })) {
    const id = idFromManifestKey(o.key);
    if (id) return parseSnapshotId(id)!.time;
  }
  return null;
}

const wholeSecond = (t: Date) => new Date(Math.floor(t.getTime() / 1000) * 1000);

/**
 * Snapshots taken in [from, to], oldest first. Lists only the day prefixes of that period (whole
 * months and years collapsed into one prefix each: see prefixesForRange).
 */
export async function listSnapshots(backend: RepositoryBackend, opts: ListSnapshotsOptions = {}): Promise<SnapshotRef[]> {
  const to = opts.to ?? opts.now?.() ?? new Date();
  const from = opts.from ?? (await oldestSnapshotTime(backend, opts.signal));
  if (!from) return [];
  const lo = wholeSecond(from).getTime();
  const hi = to.getTime();
  const keep = (r: SnapshotRef) => r.time.getTime() >= lo && r.time.getTime() <= hi && (!opts.set || r.set === opts.set);
  const out: SnapshotRef[] = [];
  for (const prefix of prefixesForRange(from, to)) out.push(...(await refsUnder(backend, prefix, keep, opts.signal)));
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface AsOfOptions extends SignalOption {
  set?: string;
  /** Don't look further back than this. */
  notBefore?: Date;
}

/** The newest suitable snapshot of one month at or before `at`; stops reading at the first later key. */
async function newestInMonth(backend: RepositoryBackend, month: string, at: number, floor: number, set: string | undefined, signal?: AbortSignal) {
  let best: SnapshotRef | null = null;
  for await (const o of backend.list(month, { signal })) {
    const id = idFromManifestKey(o.key);
    const parts = id ? parseSnapshotId(id) : null;
    if (!id || !parts) continue;
    // Keys sort by time: everything from here on is later than `at`; no need for further pages.
    if (parts.time.getTime() > at) break;
    if (parts.time.getTime() >= floor && (!set || parts.set === set)) best = { id, set: parts.set, time: parts.time, manifestKey: o.key };
  }
  return best;
}

/**
 * The newest snapshot taken at or before `at` (optionally of one set), or null.
 *
 * Lists `at`'s month (stopping at the first key past `at`: keys sort by time), and if that month
 * holds nothing suitable, the months before it, newest first, down to the month of the oldest
 * snapshot (found with one listing of snapshots/, whose first key is the oldest manifest) or of
 * `notBefore`. Typically one request; never more than one per month of the repository's life,
 * and no index to maintain.
 */
export async function asOf(backend: RepositoryBackend, at: Date, opts: AsOfOptions = {}): Promise<SnapshotRef | null> {
  const { signal, set } = opts;
  const limit = at.getTime();
  let floor = opts.notBefore?.getTime() ?? -Infinity;
  const first = await newestInMonth(backend, monthPrefix(at), limit, floor, set, signal);
  if (first) return first;
  const oldest = await oldestSnapshotTime(backend, signal);
  if (!oldest) return null;
  floor = Math.max(floor, oldest.getTime());
  let y = at.getUTCFullYear();
  let m = at.getUTCMonth() - 1; // 0-based; the month before `at`'s
  for (;;) {
    if (m < 0) {
      y -= 1;
      m = 11;
    }
    if (Date.UTC(y, m + 1, 1) <= floor) return null; // the whole month lies before the floor
    const found = await newestInMonth(backend, monthPrefix(new Date(Date.UTC(y, m, 1))), limit, floor, set, signal);
    if (found) return found;
    m -= 1;
  }
}
