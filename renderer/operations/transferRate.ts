/**
 * Rate and ETA from a stream of byte counters. Progress events arrive in bursts (the transport
 * batches them), so the rate is measured over a sliding window of wall-clock time rather than
 * between two consecutive events, which would jump between zero and huge values.
 */
export interface RateSample {
  at: number;
  bytes: number;
}

const WINDOW_MS = 5_000;

/** Adds a sample and drops the ones older than the window (keeping one before it as the baseline). */
export function addSample(samples: readonly RateSample[], sample: RateSample): RateSample[] {
  const last = samples[samples.length - 1];
  // A counter that went back means a new step or source began: start measuring afresh.
  if (last && sample.bytes < last.bytes) return [sample];
  const next = [...samples, sample];
  let first = 0;
  while (first < next.length - 2 && next[first + 1]!.at <= sample.at - WINDOW_MS) first++;
  return next.slice(first);
}

/** Bytes per second over the window, or null until there is at least ~half a second of data. */
export function bytesPerSecond(samples: readonly RateSample[]): number | null {
  if (samples.length < 2) return null;
  const a = samples[0]!;
  const b = samples[samples.length - 1]!;
  const ms = b.at - a.at;
  if (ms < 500) return null;
  return ((b.bytes - a.bytes) * 1000) / ms;
}

/** Seconds left, or null when the total or the rate is unknown. */
export function etaSeconds(done: number | undefined, total: number | undefined, rate: number | null): number | null {
  if (done == null || total == null || total <= 0 || rate == null || rate <= 0) return null;
  return Math.max(0, (total - done) / rate);
}

/** "4 s", "2 min 05 s", "1 h 12 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Seconds between two ISO instants (to now when `end` is null). */
export function secondsBetween(start: string, end: string | null | undefined, now = Date.now()): number | null {
  const a = Date.parse(start);
  const b = end ? Date.parse(end) : now;
  return Number.isNaN(a) || Number.isNaN(b) ? null : Math.max(0, (b - a) / 1000);
}

/** "Sun 22 Nov, 01:30" in the viewer's zone; the year only when it is not this one. */
export function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }), hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
