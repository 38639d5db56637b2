/**
 * What a timeline lists first: the newest month, painted before the rest of the year is listed.
 * One definition for the renderer (renderer/snapshots/recentSnapshots.ts, useTimelineStore.ts) and
 * the backend's warm-up at start (electron/core/backup/warm-up.ts), which lists the same period.
 */
export const RECENT_MS = 31 * 86_400_000;

/** The start of that period, as the `from` of a snapshots.list request. */
export function recentFrom(now: number): string {
  return new Date(now - RECENT_MS).toISOString();
}
