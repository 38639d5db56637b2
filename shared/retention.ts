/**
 * Retention (issue "backup plans", item 4): which snapshots of ONE plan a policy keeps, and why —
 * restic's `forget` rules, so people who know restic get what they expect:
 *
 *   Snapshots are taken newest first. `last N` keeps the N newest. `hourly N` keeps the newest
 *   snapshot of each of the N most recent hours that have one, and so on for daily, weekly (ISO
 *   weeks, Monday first), monthly and yearly. A snapshot is kept if any rule keeps it. Buckets are
 *   read in the plan's time zone (restic uses the machine's).
 *
 * Three guarantees on top: the newest VERIFIED snapshot is never deleted (a restore that is known to
 * work survives any policy), a HELD snapshot is never deleted, and neither is a snapshot holding a
 * level that a kept snapshot's incremental chain builds on. A policy with no rule at all
 * keeps everything (restic refuses to run without one; deleting everything by accident is worse).
 * The caller passes only the plan's own snapshots — never another set's or host's in a shared
 * repository. Pure: the preview (`prune --dry-run`, the UI) and the run use this same function.
 */

export interface RetentionPolicy {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

export interface RetentionSnapshot {
  id: string;
  /** When it was taken (ISO or Date). */
  time: string | Date;
  /** A verify of it passed. */
  verified?: boolean;
  /** A hold is kept for it in the repository. */
  held?: boolean;
  /** Snapshots holding levels this one's incremental chains build on (ARCHITECTURE §9). */
  needs?: string[];
}

export type RetentionReason = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly' | 'newest verified' | 'held' | 'no policy' | 'level of a kept snapshot';

export interface RetentionDecision {
  id: string;
  time: string;
  keep: boolean;
  /** Why it is kept (every rule that keeps it); empty when it is deleted. */
  reasons: RetentionReason[];
}

type Rule = Exclude<RetentionReason, 'newest verified' | 'held' | 'no policy' | 'level of a kept snapshot'>;
const RULES: Array<{ rule: Rule; key: keyof RetentionPolicy }> = [
  { rule: 'last', key: 'keepLast' },
  { rule: 'hourly', key: 'keepHourly' },
  { rule: 'daily', key: 'keepDaily' },
  { rule: 'weekly', key: 'keepWeekly' },
  { rule: 'monthly', key: 'keepMonthly' },
  { rule: 'yearly', key: 'keepYearly' },
];

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
}

function partsIn(date: Date, timeZone: string): Parts {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour) };
}

/** ISO 8601 week of a calendar date: [ISO year, week]. */
function isoWeek({ year, month, day }: Parts): [number, number] {
  const d = new Date(Date.UTC(year, month - 1, day));
  const weekday = d.getUTCDay() || 7; // Monday 1 … Sunday 7
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const isoYear = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 + 1) / 7);
  return [isoYear, week];
}

function bucket(rule: Rule, p: Parts, index: number): string {
  switch (rule) {
    case 'last':
      return String(index);
    case 'hourly':
      return `${p.year}-${p.month}-${p.day}T${p.hour}`;
    case 'daily':
      return `${p.year}-${p.month}-${p.day}`;
    case 'weekly':
      return isoWeek(p).join('-W');
    case 'monthly':
      return `${p.year}-${p.month}`;
    case 'yearly':
      return String(p.year);
  }
}

export function applyRetention(snapshots: RetentionSnapshot[], policy: RetentionPolicy, opts: { timeZone?: string } = {}): RetentionDecision[] {
  const timeZone = opts.timeZone ?? 'UTC';
  const sorted = snapshots
    .map((s) => ({ ...s, date: new Date(s.time) }))
    .sort((a, b) => b.date.getTime() - a.date.getTime() || (a.id < b.id ? 1 : -1));
  const active = RULES.filter(({ key }) => (policy[key] ?? 0) > 0);
  const left = new Map(active.map(({ rule, key }) => [rule, policy[key]!]));
  const lastBucket = new Map<Rule, string>();
  const newestVerified = sorted.find((s) => s.verified)?.id;

  const decisions = sorted.map((s, index) => {
    const reasons: RetentionReason[] = [];
    if (active.length === 0) reasons.push('no policy');
    const p = partsIn(s.date, timeZone);
    for (const { rule } of active) {
      if ((left.get(rule) ?? 0) <= 0) continue;
      const b = bucket(rule, p, index);
      if (lastBucket.get(rule) === b) continue;
      lastBucket.set(rule, b);
      left.set(rule, left.get(rule)! - 1);
      reasons.push(rule);
    }
    if (s.id === newestVerified) reasons.push('newest verified');
    if (s.held) reasons.push('held');
    return { id: s.id, time: s.date.toISOString(), keep: reasons.length > 0, reasons };
  });
  // A kept level needs every level its chain lists: those snapshots stay (each chain lists all of
  // its levels, so one pass covers the whole chain).
  const byId = new Map(decisions.map((d) => [d.id, d]));
  for (const s of sorted) {
    if (!byId.get(s.id)!.keep) continue;
    for (const id of s.needs ?? []) {
      const d = byId.get(id);
      if (d && !d.reasons.includes('level of a kept snapshot')) {
        d.reasons.push('level of a kept snapshot');
        d.keep = true;
      }
    }
  }
  return decisions;
}
