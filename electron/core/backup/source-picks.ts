/**
 * "As of" per source (pure): a set's snapshots do not always hold every source (a source added
 * later, an ad-hoc backup of one volume filed under the set), and the sources of one snapshot
 * were copied one after the other — minutes or hours apart for big ones. So the pick is made per
 * source: each from the newest snapshot at or before the date that holds it, with a warning when
 * the picked copies are far apart in time (a database from 18:00 and its files from 09:00 may not
 * match).
 */
import type { Manifest } from '../../../shared/contract/snapshots.js';
import type { SourcePick } from '../../../shared/contract/backup.js';

export const DEFAULT_MAX_SPREAD_SECONDS = 3600;

export interface SourcePicks {
  sources: SourcePick[];
  missing: string[];
  spreadSeconds: number;
  warnings: string[];
}

function humanDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} days`;
}

/**
 * @param manifests one set's snapshots at or before the date, NEWEST FIRST
 * @param wanted the sources the set names (its definition); the newest snapshot's own sources are
 *   always included
 */
export function pickSources(manifests: Manifest[], wanted: string[] = [], maxSpreadSeconds = DEFAULT_MAX_SPREAD_SECONDS): SourcePicks {
  const newest = manifests[0];
  if (!newest) return { sources: [], missing: [...wanted], spreadSeconds: 0, warnings: [] };
  const names = [...new Set([...newest.sources.map((s) => s.name), ...wanted])];
  const sources: SourcePick[] = [];
  const missing: string[] = [];
  const warnings: string[] = [];
  for (const name of names) {
    const from = manifests.find((m) => m.sources.some((s) => s.name === name));
    const src = from?.sources.find((s) => s.name === name);
    if (!from || !src) {
      missing.push(name);
      continue;
    }
    sources.push({ source: name, snapshotId: from.id, startedAt: src.startedAt, completedAt: src.completedAt });
    if (from.id !== newest.id) warnings.push(`${name} is not in ${newest.id}; it comes from the older snapshot ${from.id}.`);
  }
  if (missing.length) warnings.push(`No snapshot at or before the date holds ${missing.join(', ')}.`);
  const times = sources.map((s) => Date.parse(s.startedAt));
  const spreadSeconds = times.length ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
  if (spreadSeconds > maxSpreadSeconds) {
    const oldest = sources[times.indexOf(Math.min(...times))]!;
    const latest = sources[times.indexOf(Math.max(...times))]!;
    warnings.push(
      `The sources of set ${newest.set} were copied ${humanDuration(spreadSeconds)} apart (${oldest.source} at ${oldest.startedAt}, ` +
        `${latest.source} at ${latest.startedAt}): they may not be consistent with each other.`,
    );
  }
  return { sources, missing, spreadSeconds, warnings };
}
