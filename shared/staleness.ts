/**
 * How fresh a plan's backups are (the staleness view): the last good backup against the plan's own
 * interval. Fresh while younger than 1.5 intervals (a run may be late or slow), amber up to 3, red
 * beyond — or when there never was one. Pure; the interval is the gap between two scheduled runs.
 */
export type Freshness = 'fresh' | 'late' | 'stale' | 'never';

export function freshness(lastGood: string | Date | null | undefined, intervalMs: number, now: Date = new Date()): Freshness {
  if (!lastGood) return 'never';
  const age = now.getTime() - new Date(lastGood).getTime();
  if (age <= 1.5 * intervalMs) return 'fresh';
  if (age <= 3 * intervalMs) return 'late';
  return 'stale';
}

/** "3 min", "5 h", "2 days" — how long ago, in a word or two. */
export function ageWords(from: string | Date, now: Date = new Date()): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}
