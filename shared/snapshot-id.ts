/**
 * Snapshot ids (repository format v1, ARCHITECTURE §4): `20261121T221530Z-<set>-<4 hex>`.
 *
 * The id starts with the snapshot's start time in UTC, to the second, in a fixed-width form, so a
 * plain string sort of ids is a sort by time — in a listing, in a file manager, in `aws s3 ls`.
 * The backup set's name follows (a set name may itself contain "-": the id is parsed by position,
 * not split on dashes), then 4 random hex digits so two snapshots of one set started in the same
 * second still get distinct ids.
 *
 * Pure: no clock and no randomness of its own; both are injected (tests pass fixed ones).
 */

/** What a backup set (and a source) may be called: safe in an object key, a file name and a URL. */
export const SET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const ID_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-(.+)-([0-9a-f]{4})$/;

export interface SnapshotIdParts {
  /** The start time the id encodes (whole seconds, UTC). */
  time: Date;
  set: string;
  /** The 4 hex digits that tell apart ids of one set made in the same second. */
  suffix: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `20261121T221530Z`: the basic ISO 8601 form, always UTC, always 16 characters. */
export function formatIdTime(time: Date): string {
  if (Number.isNaN(time.getTime())) throw new Error('formatIdTime: invalid date');
  const y = time.getUTCFullYear();
  if (y < 1000 || y > 9999) throw new Error(`formatIdTime: year ${y} is out of range`);
  return (
    `${y}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}` +
    `T${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}Z`
  );
}

export interface MakeSnapshotIdOptions {
  /** The snapshot's start time. */
  now: Date;
  /** A source of uniform numbers in [0, 1); Math.random is fine (uniqueness, not secrecy). */
  random?: () => number;
}

export function makeSnapshotId(set: string, { now, random = Math.random }: MakeSnapshotIdOptions): string {
  if (!SET_NAME_PATTERN.test(set)) {
    throw new Error(`"${set}" cannot name a backup set: use letters, digits, ".", "_" or "-" (at most 64, not starting with a symbol).`);
  }
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0')
    .slice(-4);
  return `${formatIdTime(now)}-${set}-${suffix}`;
}

/** Parses an id; null when the string is not a well-formed snapshot id. */
export function parseSnapshotId(id: string): SnapshotIdParts | null {
  const m = ID_PATTERN.exec(id);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, set, suffix] = m as unknown as [string, string, string, string, string, string, string, string, string];
  if (!SET_NAME_PATTERN.test(set)) return null;
  const time = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
  // Reject impossible dates (Feb 30 would silently roll over into March).
  if (formatIdTime(time) !== id.slice(0, 16)) return null;
  return { time, set, suffix };
}

export function isSnapshotId(id: string): boolean {
  return parseSnapshotId(id) !== null;
}

/** Ids sort by time as plain strings; this is that order, spelled out for readers of the code. */
export function compareSnapshotIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
