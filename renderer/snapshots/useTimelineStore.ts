import { create } from 'zustand';
import type { AsOfResult, BackupSetView, Repository, SnapshotRefView, SnapshotSummary } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';
import { dayBounds, groupByDay, refKey, summaryBatches, type Day, type TimelineRef } from './timelineModel';
import { takeEarly } from './recentSnapshots';
import { afterNextPaint } from '../app/afterNextPaint';
import { recentFrom } from '../../shared/recent-snapshots.js';

/** Everything the "as of" field found, one entry per repository asked. */
export interface AsOfView {
  text: string;
  results: { repositoryId: string; result: AsOfResult }[];
  errors: { repositoryId: string; error: ErrorInfo }[];
  /** refKeys of the snapshots it resolved to (one per set), and of the older ones some sources come from. */
  picked: Set<string>;
  sourcePicks: Set<string>;
  at: number;
}

interface TimelineStore {
  repositories: Repository[];
  sets: BackupSetView[];
  reposLoaded: boolean;
  /** The repositories on show ("all" merges them). */
  scope: string[];
  refs: TimelineRef[];
  /** Newest day first. */
  days: Day[];
  loading: boolean;
  error: ErrorInfo | null;
  /** Bumped whenever summaries arrive, so views re-read the cache. */
  summariesVersion: number;
  summaryError: ErrorInfo | null;
  asOf: AsOfView | null;
  asOfPending: boolean;
  asOfError: ErrorInfo | null;

  loadRepositories(): Promise<void>;
  /** Lists the refs of the repositories in scope (cheap: keys only). */
  load(scope: string[]): Promise<void>;
  /** Makes sure summaries of these days are (being) fetched. */
  want(dayKeys: readonly string[], priority?: 'high' | 'low'): void;
  /** `set`: only that backup set (the set filter), else every set. */
  runAsOf(text: string, set?: string): Promise<void>;
  clearAsOf(): void;
  /** A snapshot was written or verified: forget what we know of that repository's day and refetch. */
  changed(repositoryId: string, snapshotId: string): void;
}

// Outside the store's state on purpose: 10,000 summaries in a Map, mutated in place, with a version
// counter in state to re-render. Copying the map on every batch would be wasted work.
const summaries = new Map<string, SnapshotSummary>();
/** "repoId|day": loaded or in flight. */
const dayState = new Map<string, 'loading' | 'loaded'>();
let queue: { repositoryId: string; days: Day[] }[] = [];
let pumping = false;

export const summaryOf = (r: { repositoryId: string; id: string }) => summaries.get(refKey(r));

export const useTimelineStore = create<TimelineStore>((set, get) => {
  // Re-render for new summaries at most every 150 ms: a fling through the year fetches many
  // batches, and each re-render walks the refs; the first batch shows at once.
  let bumpTimer: ReturnType<typeof setTimeout> | null = null;
  let lastBump = 0;
  function bump() {
    const run = () => {
      bumpTimer = null;
      lastBump = Date.now();
      set({ summariesVersion: get().summariesVersion + 1, summaryError: null });
    };
    if (bumpTimer) return;
    const wait = 150 - (Date.now() - lastBump);
    if (wait <= 0) run();
    else bumpTimer = setTimeout(run, wait);
  }

  async function pump() {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length) {
        const job = queue.shift()!;
        const times = job.days.flatMap((d) => dayBounds(d.key));
        const from = new Date(Math.min(...times)).toISOString();
        const to = new Date(Math.max(...times) - 1).toISOString();
        const expected = job.days.reduce((n, d) => n + d.refs.filter((r) => r.repositoryId === job.repositoryId).length, 0);
        try {
          const out = await requireClient().snapshots.summaries({ repositoryId: job.repositoryId, from, to, limit: Math.min(5000, expected + 200) });
          for (const s of out.items) summaries.set(refKey(s), s);
          for (const d of job.days) dayState.set(`${job.repositoryId}|${d.key}`, 'loaded');
          bump();
        } catch (e) {
          // Leave the days unloaded so scrolling back asks again; say why once.
          for (const d of job.days) dayState.delete(`${job.repositoryId}|${d.key}`);
          set({ summaryError: toErrorInfo(e) });
          for (const j of queue) for (const d of j.days) dayState.delete(`${j.repositoryId}|${d.key}`);
          queue = [];
        }
      }
    } finally {
      pumping = false;
    }
  }

  return {
    repositories: [],
    sets: [],
    reposLoaded: false,
    scope: [],
    refs: [],
    days: [],
    loading: false,
    error: null,
    summariesVersion: 0,
    summaryError: null,
    asOf: null,
    asOfPending: false,
    asOfError: null,

    async loadRepositories() {
      try {
        const client = requireClient();
        const [repositories, sets] = await Promise.all([client.repositories.list({}), client.backupSets.list({}).catch(() => [])]);
        set({ repositories, sets, reposLoaded: true });
      } catch (e) {
        set({ error: toErrorInfo(e), reposLoaded: true });
      }
    },

    async load(scope) {
      set({ scope, loading: true, error: null });
      try {
        const client = requireClient();
        const refsOf = (repositoryId: string, rows: readonly SnapshotRefView[]): TimelineRef[] => rows.map((r) => ({ ...r, repositoryId, t: Date.parse(r.time) }));
        const byTime = (refs: TimelineRef[]) => refs.sort((a, b) => a.t - b.t);
        const list = async (from?: string) => byTime((await Promise.all(scope.map(async (repositoryId) => refsOf(repositoryId, await client.snapshots.list({ repositoryId, ...(from ? { from } : {}) }))))).flat());
        // The last month first — the rows at the top of the list, painted at once — then everything
        // (a year of snapshots is ten times as much to list and to send); "Listing snapshots…" until then.
        performance.mark('hindsight-list-requested'); // bench/ui: where a cold open's time goes
        // Asked for already by main.tsx on a cold open of this repository's timeline.
        const early = scope.length === 1 ? await takeEarly(scope[0]!) : null;
        const recent = early ? byTime(refsOf(scope[0]!, early)) : await list(recentFrom(Date.now()));
        performance.mark('hindsight-list-received');
        if (get().scope !== scope) return;
        if (recent.length && get().loading) {
          set({ refs: recent, days: groupByDay(recent) });
          // The year's list only once those rows are on screen: on 2 busy cores, the backend reading
          // and sending it (and this page parsing it) competed with their first render.
          await afterNextPaint();
        }
        const refs = await list();
        if (get().scope !== scope) return;
        set({ refs, days: groupByDay(refs), loading: false });
      } catch (e) {
        if (get().scope === scope) set({ loading: false, error: toErrorInfo(e), refs: [], days: [] });
      }
    },

    want(dayKeys, priority = 'high') {
      const { days, scope } = get();
      const byKey = new Map(days.map((d) => [d.key, d]));
      const wanted = dayKeys.map((k) => byKey.get(k)).filter((d): d is Day => !!d);
      const jobs: typeof queue = [];
      for (const repositoryId of scope) {
        const mine = wanted.filter((d) => d.refs.some((r) => r.repositoryId === repositoryId));
        for (const batch of summaryBatches(mine, (k) => dayState.has(`${repositoryId}|${k}`))) {
          for (const d of batch) dayState.set(`${repositoryId}|${d.key}`, 'loading');
          jobs.push({ repositoryId, days: batch });
        }
      }
      // What the list shows goes before what the chart would like (background fill).
      queue = priority === 'high' ? [...jobs, ...queue] : [...queue, ...jobs];
      void pump();
    },

    async runAsOf(text, onlySet) {
      const scope = get().scope;
      if (!text.trim() || !scope.length) return;
      set({ asOfPending: true, asOfError: null });
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const settled = await Promise.all(
        scope.map(async (repositoryId) => {
          try {
            return { repositoryId, result: await requireClient().snapshots.asOf({ repositoryId, when: text, timeZone, ...(onlySet ? { set: onlySet } : {}) }) };
          } catch (e) {
            return { repositoryId, error: toErrorInfo(e) };
          }
        }),
      );
      const results = settled.flatMap((s) => ('result' in s && s.result ? [{ repositoryId: s.repositoryId, result: s.result }] : []));
      const errors = settled.flatMap((s) => ('error' in s && s.error ? [{ repositoryId: s.repositoryId, error: s.error }] : []));
      if (!results.length) {
        set({ asOfPending: false, asOf: null, asOfError: errors[0]?.error ?? null });
        return;
      }
      const picked = new Set<string>();
      const sourcePicks = new Set<string>();
      for (const { repositoryId, result } of results) {
        for (const p of result.sets) {
          picked.add(refKey({ repositoryId, id: p.snapshot.id }));
          for (const s of p.sources) if (s.snapshotId !== p.snapshot.id) sourcePicks.add(refKey({ repositoryId, id: s.snapshotId }));
        }
      }
      set({ asOfPending: false, asOf: { text, results, errors, picked, sourcePicks, at: Date.parse(results[0]!.result.at) } });
    },

    clearAsOf() {
      set({ asOf: null, asOfError: null });
    },

    changed(repositoryId) {
      if (!get().scope.includes(repositoryId)) return;
      // New snapshots land on today; a verification changes an old one's badge: drop the day marks
      // of this repository so what is on screen is fetched again.
      for (const k of [...dayState.keys()]) if (k.startsWith(`${repositoryId}|`)) dayState.delete(k);
      void get().load(get().scope);
    },
  };
});

