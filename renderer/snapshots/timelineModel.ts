/**
 * The timeline's pure parts: days, colours, filters, the zoom scale and the rows of the
 * virtualized list. No React, no backend — unit tested on their own.
 */
import type { SnapshotRefView, SnapshotSummary, SourceKind } from '../../shared/contract/index.js';
import { dateFormat } from '../app/format';

/** A ref as the timeline keeps it: which repository it is in, and its time in ms. */
export interface TimelineRef extends SnapshotRefView {
  repositoryId: string;
  t: number;
}

export const refKey = (r: { repositoryId: string; id: string }) => `${r.repositoryId}/${r.id}`;

/** "2026-11-20" in the viewer's time zone: the timeline groups by the user's days, not UTC's. */
export function dayKey(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** [start, end) of a local day key, in ms. */
export function dayBounds(key: string): [number, number] {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return [new Date(y, m - 1, d).getTime(), new Date(y, m - 1, d + 1).getTime()];
}

export interface Day {
  key: string;
  refs: TimelineRef[];
}

/** Refs grouped by local day, newest day first, newest snapshot first within a day. */
export function groupByDay(refs: readonly TimelineRef[]): Day[] {
  const byDay = new Map<string, TimelineRef[]>();
  for (const r of refs) {
    const k = dayKey(r.t);
    let list = byDay.get(k);
    if (!list) byDay.set(k, (list = []));
    list.push(r);
  }
  const days = [...byDay.entries()].map(([key, list]) => ({ key, refs: list.sort((a, b) => b.t - a.t) }));
  return days.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}

/**
 * Eight hues that stay apart in both themes (no red: it reads as a failure); a set keeps its colour as long as the set names stay
 * the same (assigned in name order, not in order of appearance, so scrolling never recolours).
 */
export const PALETTE = ['#3d7eff', '#3ec27a', '#f2a93b', '#b18cff', '#2ec4c4', '#e46fb8', '#9bb53a', '#c98b5a'];

export function colourBySet(sets: readonly string[]): Map<string, string> {
  const sorted = [...new Set(sets)].sort();
  return new Map(sorted.map((s, i) => [s, PALETTE[i % PALETTE.length]!]));
}

export interface Filters {
  sets: string[];
  hosts: string[];
  kinds: SourceKind[];
  tags: string[];
}
export const NO_FILTERS: Filters = { sets: [], hosts: [], kinds: [], tags: [] };

export const hasSummaryFilters = (f: Filters) => f.hosts.length > 0 || f.kinds.length > 0 || f.tags.length > 0;

/**
 * Whether a snapshot passes the filters. The set is known from the ref; host, kind and tag only
 * once its summary has loaded — until then it stays (drawn as loading) rather than blinking out.
 */
export function passes(ref: TimelineRef, summary: SnapshotSummary | undefined, f: Filters): boolean {
  if (f.sets.length && !f.sets.includes(ref.set)) return false;
  if (!summary) return true;
  if (f.hosts.length && !f.hosts.includes(summary.hostName)) return false;
  if (f.kinds.length && !summary.sources.some((s) => f.kinds.includes(s.kind))) return false;
  if (f.tags.length && !summary.tags.some((t) => f.tags.includes(t))) return false;
  return true;
}

/** One row of the virtualized list: a day's header, or one snapshot. */
export type ListRow = { type: 'day'; day: Day; shown: number } | { type: 'snapshot'; ref: TimelineRef; dayKey: string };

export function listRows(days: readonly Day[], summaryOf: (r: TimelineRef) => SnapshotSummary | undefined, f: Filters): ListRow[] {
  const rows: ListRow[] = [];
  for (const day of days) {
    const shown = day.refs.filter((r) => passes(r, summaryOf(r), f));
    if (!shown.length) continue;
    rows.push({ type: 'day', day, shown: shown.length });
    for (const ref of shown) rows.push({ type: 'snapshot', ref, dayKey: day.key });
  }
  return rows;
}

/** The zoom levels of the axis: how much time the visible width spans. */
export const ZOOMS = [
  { id: '6h', label: '6 h', span: 6 * 3600_000 },
  { id: 'day', label: 'Day', span: 24 * 3600_000 },
  { id: 'week', label: 'Week', span: 7 * 86400_000 },
  { id: 'month', label: 'Month', span: 31 * 86400_000 },
  { id: 'quarter', label: '3 months', span: 92 * 86400_000 },
  { id: 'year', label: 'Year', span: 366 * 86400_000 },
] as const;
export const MIN_SPAN = 3600_000;
export const MAX_SPAN = 2 * 366 * 86400_000;

export interface TimeWindow {
  start: number;
  end: number;
}

/** Zoom by `factor` (<1 zooms in) keeping the instant under the pointer (`anchor`, 0..1 of the width) still. */
export function zoomWindow(w: TimeWindow, factor: number, anchor = 0.5): TimeWindow {
  const span = w.end - w.start;
  const next = Math.min(MAX_SPAN, Math.max(MIN_SPAN, span * factor));
  const at = w.start + span * anchor;
  return { start: at - next * anchor, end: at - next * anchor + next };
}

export function centreWindow(w: TimeWindow, t: number): TimeWindow {
  const half = (w.end - w.start) / 2;
  return { start: t - half, end: t + half };
}

/** The closest zoom preset to a span, for the segmented control. */
export function nearestZoom(span: number): string {
  let best: string = ZOOMS[0].id;
  let bestDiff = Infinity;
  for (const z of ZOOMS) {
    const diff = Math.abs(Math.log(z.span / span));
    if (diff < bestDiff) [best, bestDiff] = [z.id, diff];
  }
  return best;
}

/** Tick marks for the axis: a step that gives at most ~`maxTicks` labels across the span. */
export function axisTicks(w: TimeWindow, maxTicks = 10): { t: number; label: string }[] {
  const span = w.end - w.start;
  const H = 3600_000;
  const D = 24 * H;
  const steps = [H, 3 * H, 6 * H, 12 * H, D, 2 * D, 7 * D, 14 * D];
  const step = steps.find((s) => span / s <= maxTicks);
  const ticks: { t: number; label: string }[] = [];
  if (step) {
    const first = new Date(w.start);
    if (step < D) first.setMinutes(0, 0, 0);
    else first.setHours(0, 0, 0, 0);
    for (let t = first.getTime(); t <= w.end; t += step) {
      if (t < w.start) continue;
      const d = new Date(t);
      const label =
        step < D
          ? d.getHours() === 0
            ? dateFormat({ weekday: 'short', day: 'numeric', month: 'short' }).format(d)
            : `${String(d.getHours()).padStart(2, '0')}:00`
          : dateFormat({ day: 'numeric', month: 'short' }).format(d);
      ticks.push({ t, label });
    }
    return ticks;
  }
  // Months (every 1, 2 or 3 so labels never collide).
  const months = span / (30 * D);
  const every = months <= maxTicks ? 1 : months <= maxTicks * 2 ? 2 : 3;
  const d = new Date(w.start);
  d.setHours(0, 0, 0, 0);
  d.setDate(1);
  while (d.getTime() <= w.end) {
    if (d.getTime() >= w.start && d.getMonth() % every === 0) {
      ticks.push({ t: d.getTime(), label: dateFormat(d.getMonth() === 0 ? { month: 'short', year: 'numeric' } : { month: 'short' }).format(d) });
    }
    d.setMonth(d.getMonth() + 1);
  }
  return ticks;
}

/** Index of the first ref with t >= x in refs sorted by time (ascending). */
export function lowerBound(refs: readonly { t: number }[], x: number): number {
  let lo = 0;
  let hi = refs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (refs[mid]!.t < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Which days to fetch summaries for: the wanted ones not loaded yet, in batches of consecutive
 * days holding about `perBatch` snapshots (one snapshots.summaries call each).
 */
export function summaryBatches(wanted: readonly Day[], isLoaded: (key: string) => boolean, perBatch = 400): Day[][] {
  const batches: Day[][] = [];
  let current: Day[] = [];
  let count = 0;
  for (const day of wanted) {
    if (isLoaded(day.key)) {
      if (current.length) batches.push(current);
      current = [];
      count = 0;
      continue;
    }
    current.push(day);
    count += day.refs.length;
    if (count >= perBatch) {
      batches.push(current);
      current = [];
      count = 0;
    }
  }
  if (current.length) batches.push(current);
  return batches;
}
