/**
 * The log viewer's buffer rules, kept pure: bounded append (drop the oldest), case-insensitive
 * filtering and the text used for copy/download.
 */
import type { LogLine } from '../../shared/contract/index.js';

export interface LogEntry extends LogLine {
  /** Arrival order; the React key and the scroll anchor. Never reused within one stream. */
  seq: number;
}

/** Enough history to scroll back through a burst, small enough to stay fast and light. */
export const MAX_LINES = 10_000;

/** Appends a batch and drops the oldest entries beyond `max`. Returns `buf` itself when nothing changes. */
export function appendBounded<T>(buf: readonly T[], batch: readonly T[], max: number = MAX_LINES): readonly T[] {
  if (batch.length === 0) return buf;
  if (batch.length >= max) return batch.slice(batch.length - max);
  const over = buf.length + batch.length - max;
  return over > 0 ? buf.slice(over).concat(batch) : buf.concat(batch);
}

/** Substring match, case-insensitive; an empty query keeps everything (same array). */
export function filterEntries(entries: readonly LogEntry[], query: string): readonly LogEntry[] {
  const q = query.trim().toLowerCase();
  if (!q) return entries;
  return entries.filter((e) => e.line.toLowerCase().includes(q));
}

/** Index of the first entry whose seq is >= `seq` (entries are sorted by seq). */
export function lowerBoundSeq(entries: readonly LogEntry[], seq: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Plain lines for the clipboard; `docker logs -t` style (timestamp first) for a .log download. */
export function toText(entries: readonly LogEntry[], withTimestamps: boolean): string {
  const lines = entries.map((e) => (withTimestamps ? `${e.ts} ${e.stream === 'stderr' ? '[stderr] ' : ''}${e.line}` : e.line));
  return lines.join('\n') + (lines.length ? '\n' : '');
}
