/**
 * Where things live in a repository (format v1, ARCHITECTURE §4) — pure functions, no I/O:
 *
 *   hindsight-repo.json                            the format marker
 *   snapshots/YYYY/MM/DD/<snapshot-id>.json        manifests, by the UTC day of the id's time
 *   data/<snapshot-id>/<source>.<ext>              one object per source
 *   index/<snapshot-id>/<source>.files.jsonl.zst   optional file index of a volume source
 *   locks/                                         short-lived writer locks
 *
 * The date in a manifest's key is the one in its id, so finding the snapshots of a period means
 * listing only that period's day (or month, or year) prefixes — never the whole repository.
 */
import { SET_NAME_PATTERN, formatIdTime, parseSnapshotId } from '../../../../shared/snapshot-id.js';

export const MARKER_KEY = 'hindsight-repo.json';
export const SNAPSHOTS_PREFIX = 'snapshots/';
export const DATA_PREFIX = 'data/';
export const INDEX_PREFIX = 'index/';
export const LOCKS_PREFIX = 'locks/';

const pad = (n: number) => String(n).padStart(2, '0');

/** `snapshots/2026/11/21/` for any instant on 21 Nov 2026, UTC. */
export function dayPrefix(time: Date): string {
  return `${SNAPSHOTS_PREFIX}${time.getUTCFullYear()}/${pad(time.getUTCMonth() + 1)}/${pad(time.getUTCDate())}/`;
}

function requireId(id: string): Date {
  const parts = parseSnapshotId(id);
  if (!parts) throw new Error(`"${id}" is not a snapshot id`);
  return parts.time;
}

function requireSource(source: string): void {
  if (!SET_NAME_PATTERN.test(source)) throw new Error(`"${source}" cannot name a source: use letters, digits, ".", "_" or "-"`);
}

export function manifestKey(id: string): string {
  return `${dayPrefix(requireId(id))}${id}.json`;
}

/** The snapshot id of a manifest key, or null for anything else found under snapshots/. */
export function idFromManifestKey(key: string): string | null {
  const m = /^snapshots\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)\.json$/.exec(key);
  if (!m) return null;
  const id = m[4]!;
  const parts = parseSnapshotId(id);
  // A manifest filed under another day than its id says is not where readers look: ignore it.
  if (!parts || dayPrefix(parts.time) !== key.slice(0, key.length - id.length - 5)) return null;
  return id;
}

/** `data/<id>/<source>.<ext>`, ext without the leading dot ("tar.zst", "sql.zst.age"). */
export function dataKey(id: string, source: string, ext: string): string {
  requireId(id);
  requireSource(source);
  if (!/^[a-z0-9]+(\.[a-z0-9]+)*$/.test(ext)) throw new Error(`"${ext}" is not a file extension`);
  return `${DATA_PREFIX}${id}/${source}.${ext}`;
}

export function dataPrefix(id: string): string {
  requireId(id);
  return `${DATA_PREFIX}${id}/`;
}

export function indexKey(id: string, source: string): string {
  requireId(id);
  requireSource(source);
  return `${INDEX_PREFIX}${id}/${source}.files.jsonl.zst`;
}

/** Midnight (UTC) of t's day, in ms. */
const startOfUtcDay = (t: Date) => Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());

/** Days of one month a period touches from which its month prefix is listed instead of each day's. */
export const MONTH_PREFIX_DAYS = 4;

/**
 * The snapshots/ prefixes to list for the period [from, to] (inclusive, any instants): one per UTC
 * day touched, except that a calendar month (or year) covered entirely is listed with its month
 * (year) prefix — the same keys in fewer, paginated requests — and so is a month the period touches
 * on MONTH_PREFIX_DAYS days or more: one listing (a page per 1,000 keys) instead of one per day, the
 * keys of its other days left out by the caller (issue 10 item 3: a timeline's period begins and
 * ends in the middle of months). Returned in time order.
 */
export function prefixesForRange(from: Date, to: Date): string[] {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new Error('prefixesForRange: invalid date');
  if (from.getTime() > to.getTime()) return [];
  // Ids have four-digit years; formatIdTime refuses anything else, so an absurd range fails fast.
  formatIdTime(from);
  formatIdTime(to);
  const out: string[] = [];
  let day = startOfUtcDay(from);
  const lastDay = startOfUtcDay(to);
  while (day <= lastDay) {
    const d = new Date(day);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    const yearEnd = Date.UTC(y + 1, 0, 1) - 86_400_000;
    const monthEnd = Date.UTC(y, m + 1, 1) - 86_400_000;
    if (m === 0 && d.getUTCDate() === 1 && yearEnd <= lastDay) {
      out.push(`${SNAPSHOTS_PREFIX}${y}/`);
      day = Date.UTC(y + 1, 0, 1);
    } else if ((d.getUTCDate() === 1 && monthEnd <= lastDay) || (Math.min(monthEnd, lastDay) - day) / 86_400_000 + 1 >= MONTH_PREFIX_DAYS) {
      out.push(`${SNAPSHOTS_PREFIX}${y}/${pad(m + 1)}/`);
      day = Date.UTC(y, m + 1, 1);
    } else {
      out.push(dayPrefix(d));
      day += 86_400_000;
    }
  }
  return out;
}

/** Every UTC day prefix of [from, to] — what prefixesForRange collapses into months and years. */
export function dayPrefixesForRange(from: Date, to: Date): string[] {
  const out: string[] = [];
  for (let day = startOfUtcDay(from); day <= startOfUtcDay(to); day += 86_400_000) out.push(dayPrefix(new Date(day)));
  return out;
}
