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

/** What one service (a source on a host) looks like across the plans that back it up. */
export interface ServiceFreshness {
  /** "<hostId>/<source>" */
  key: string;
  hostId: string;
  /** "volume shop_files", "postgres shop-db-1/shop", … */
  source: string;
  plans: string[];
  lastGood: string | null;
  backup: Freshness;
  /** When the newest verified snapshot was taken (restore drills verify it), and how fresh that is. */
  verifiedAt: string | null;
  /** null: no plan of this service has a restore drill. */
  verify: Freshness | null;
}

interface PlanLike {
  name: string;
  hostId: string;
  sources: ReadonlyArray<{ kind: string; volume?: string; container?: string; database?: string | undefined; path?: string }>;
  intervalMs: number;
  drillIntervalMs?: number | null;
  lastGoodBackup: { endedAt: string } | null;
  newestVerified: string | null;
}

export function describeSource(s: PlanLike['sources'][number]): string {
  if (s.volume !== undefined) return `volume ${s.volume}`;
  if (s.path !== undefined) return `directory ${s.container}:${s.path}`;
  return `${s.kind} ${s.container}${s.database ? `/${s.database}` : ''}`;
}

/** "20261205T020000Z-set-ab12" → its time, or null. */
function snapshotTime(id: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(id);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : null;
}

const newer = (a: string | null, b: string | null) => (!a ? b : !b ? a : a > b ? a : b);

/**
 * The staleness view: per service per host, the last good backup (against the tightest interval of
 * the plans that back it up) and the newest verified snapshot (against the drill's interval).
 * Sorted worst first, so what needs attention is on top.
 */
export function serviceFreshness(plans: PlanLike[], now: Date = new Date()): ServiceFreshness[] {
  const rows = new Map<string, { hostId: string; source: string; plans: string[]; lastGood: string | null; intervalMs: number; verifiedAt: string | null; drillMs: number | null }>();
  for (const p of plans) {
    for (const s of p.sources) {
      const source = describeSource(s);
      const key = `${p.hostId}/${source}`;
      const row = rows.get(key) ?? { hostId: p.hostId, source, plans: [], lastGood: null, intervalMs: Infinity, verifiedAt: null, drillMs: null };
      row.plans.push(p.name);
      row.lastGood = newer(row.lastGood, p.lastGoodBackup?.endedAt ?? null);
      row.intervalMs = Math.min(row.intervalMs, p.intervalMs);
      row.verifiedAt = newer(row.verifiedAt, p.newestVerified ? snapshotTime(p.newestVerified) : null);
      if (p.drillIntervalMs) row.drillMs = Math.min(row.drillMs ?? Infinity, p.drillIntervalMs);
      rows.set(key, row);
    }
  }
  const rank: Record<Freshness, number> = { never: 0, stale: 1, late: 2, fresh: 3 };
  return [...rows.entries()]
    .map(([key, r]) => ({
      key,
      hostId: r.hostId,
      source: r.source,
      plans: r.plans,
      lastGood: r.lastGood,
      backup: freshness(r.lastGood, r.intervalMs, now),
      verifiedAt: r.verifiedAt,
      verify: r.drillMs === null ? null : freshness(r.verifiedAt, r.drillMs, now),
    }))
    .sort((a, b) => rank[a.backup] - rank[b.backup] || (a.verify ? rank[a.verify] : 4) - (b.verify ? rank[b.verify] : 4) || a.key.localeCompare(b.key));
}
