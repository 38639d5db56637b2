/**
 * PostgreSQL write-ahead-log positions and segment files, for point-in-time recovery (issue 10
 * item 2, docs/pitr.md): what a recoverable window is made of. Pure.
 *
 * An LSN ("16/B374D848") is a 64-bit byte position in the WAL. A segment file
 * "000000010000001600000000" is <timeline 8 hex><log 8 hex><segment 8 hex>; with the default 16 MiB
 * segments, segment `s` of log `l` holds the LSNs from l·2^32 + s·16 MiB. A base backup is usable
 * once the WAL from its start LSN to its end LSN is there; from then on, every consecutive segment
 * without a gap extends the window to the moment that segment was received.
 */

export const WAL_SEGMENT_BYTES = 16 * 1024 * 1024;
const SEGMENTS_PER_LOG = 2 ** 32 / WAL_SEGMENT_BYTES;

export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a WAL position (like 16/B374D848)`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export interface WalSegment {
  timeline: number;
  /** The segment's number counted from the start of the WAL (log · segments-per-log + segment). */
  index: bigint;
}

/** "000000010000001600000003" → {timeline 1, index}; undefined for anything else (.partial, .history, .backup files). */
export function parseSegmentName(name: string): WalSegment | undefined {
  const m = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/.exec(name);
  if (!m) return undefined;
  const seg = BigInt(`0x${m[3]}`);
  if (seg >= BigInt(SEGMENTS_PER_LOG)) return undefined;
  return { timeline: Number.parseInt(m[1]!, 16), index: BigInt(`0x${m[2]}`) * BigInt(SEGMENTS_PER_LOG) + seg };
}

export function segmentName(s: WalSegment): string {
  const hex = (n: bigint | number) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(s.timeline)}${hex(s.index / BigInt(SEGMENTS_PER_LOG))}${hex(s.index % BigInt(SEGMENTS_PER_LOG))}`;
}

/** The segment holding `lsn` on `timeline`. */
export function segmentOf(lsn: bigint, timeline: number): WalSegment {
  return { timeline, index: lsn / BigInt(WAL_SEGMENT_BYTES) };
}

export interface BaseBackupInfo {
  id: string;
  timeline: number;
  startLsn: bigint;
  endLsn: bigint;
  /** When the backup ended: the earliest moment it can be recovered to. */
  endedAt: Date;
}

export interface ArchivedSegment {
  name: string;
  /** When the archiver had the whole segment: every change in it happened before. */
  receivedAt: Date;
}

export interface RecoverableWindow {
  baseId: string;
  from: Date;
  to: Date;
  /** The segments a recovery to `to` replays, in order. */
  segments: string[];
}

/**
 * The windows the archive allows: one per base backup whose WAL is whole from its start, running
 * from its end to the receipt of the last segment before the first gap (or a timeline change).
 * Newest base first. A base backup whose own WAL has a gap is left out.
 */
export function recoverableWindows(bases: BaseBackupInfo[], archived: ArchivedSegment[]): RecoverableWindow[] {
  const byIndex = new Map<string, ArchivedSegment & WalSegment>();
  for (const a of archived) {
    const s = parseSegmentName(a.name);
    if (s) byIndex.set(`${s.timeline}:${s.index}`, { ...a, ...s });
  }
  const out: RecoverableWindow[] = [];
  for (const b of [...bases].sort((x, y) => y.endedAt.getTime() - x.endedAt.getTime())) {
    const first = segmentOf(b.startLsn, b.timeline);
    const last = segmentOf(b.endLsn, b.timeline);
    const segments: string[] = [];
    let to: Date | undefined;
    for (let i = first.index; ; i++) {
      const seg = byIndex.get(`${b.timeline}:${i}`);
      if (!seg) break;
      segments.push(seg.name);
      if (i >= last.index) to = to && to > seg.receivedAt ? to : seg.receivedAt;
    }
    // The backup's own WAL must be whole (through the segment of its end LSN).
    if (!to || first.index + BigInt(segments.length) <= last.index) continue;
    out.push({ baseId: b.id, from: b.endedAt, to: to < b.endedAt ? b.endedAt : to, segments });
  }
  return out;
}

/** The window that recovers to `at` (the newest base backup that can), or undefined. */
export function windowFor(windows: RecoverableWindow[], at: Date): RecoverableWindow | undefined {
  return windows.find((w) => w.from.getTime() <= at.getTime() && at.getTime() <= w.to.getTime());
}
