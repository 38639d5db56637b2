/**
 * The newest month of one repository's snapshots, asked for the moment the connection is up when
 * the page is opened on the timeline (main.tsx) — while the rest of the app is still being parsed
 * and rendered — and handed to the timeline's first load (useTimelineStore), which would otherwise
 * ask only after React's first render. bench/ui measures the cold open this shortens.
 */
import type { Client, SnapshotRefView } from '../../shared/contract/index.js';
import { recentFrom } from '../../shared/recent-snapshots.js';


let early: { repositoryId: string; rows: Promise<SnapshotRefView[]> } | null = null;

export function askEarly(client: Client, repositoryId: string): void {
  const rows = client.snapshots.list({ repositoryId, from: recentFrom(Date.now()) });
  rows.catch(() => undefined); // a failure is the first load's to report: it asks again
  early = { repositoryId, rows };
}

/** The early answer for this repository, once; null when none was asked for (or it failed: ask again). */
export function takeEarly(repositoryId: string): Promise<SnapshotRefView[] | null> | null {
  if (early?.repositoryId !== repositoryId) return null;
  const { rows } = early;
  early = null;
  return rows.catch(() => null);
}
