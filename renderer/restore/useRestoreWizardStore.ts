/**
 * The restore wizard's state: the user's choices (kept while they go back and forth), what the
 * backend said about them (snapshot manifest, "as of" picks, pre-flight, plan) and the run.
 * Every backend answer is stamped with the inputKey it was asked for, so a stale answer is never
 * shown for changed choices.
 */
import { create } from 'zustand';
import type { AsOfResult, Manifest, PreflightCheck, Repository, RestorePlan, RestoreResult, SnapshotSummary, SnapshotTrust } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';
import { useHostsStore } from '../hosts/useHostsStore';
import { defaultMap, defaultPaths, EMPTY_CHOICES, inputKey, STEPS, toRestoreInput, type Choices, type StepId } from './wizardModel';

type Loadable<T> = { status: 'idle' } | { status: 'loading'; key: string } | { status: 'ready'; key: string; value: T } | { status: 'error'; key: string; error: ErrorInfo };

export interface RunState {
  taskId: string;
  startedAt: number;
  /** The task's overall progress (0..1, null while unknown) and what it is doing. */
  fraction: number | null;
  message: string;
}

/** How the run ended: the engine's result, or its refusal/failure (with the operation when known). */
export type Outcome =
  | { ok: true; result: RestoreResult }
  | { ok: false; error: ErrorInfo; operationId: string | null; cancelled: boolean };

interface WizardStore {
  step: StepId;
  /** The furthest step reached, so the stepper can jump back (never past it). */
  reached: number;
  choices: Choices;
  repositories: Loadable<Repository[]>;
  recent: Loadable<SnapshotSummary[]>;
  manifest: Loadable<Manifest>;
  /** Who signed the selected snapshot, and whether this console trusts that writer for its host. */
  trust: Loadable<SnapshotTrust>;
  asOf: Loadable<AsOfResult>;
  preflight: Loadable<{ checks: PreflightCheck[]; ok: boolean }>;
  plan: Loadable<RestorePlan>;
  run: RunState | null;
  outcome: Outcome | null;

  /** Opens the wizard; the route's repo/snapshot/asOf prefill it (a new prefill starts afresh). */
  open(prefill: { repositoryId?: string | undefined; snapshotId?: string | undefined; asOf?: string | undefined }): void;
  go(step: StepId): void;
  set(patch: Partial<Choices>): void;
  loadRepositories(): Promise<void>;
  loadRecent(): Promise<void>;
  selectSnapshot(snapshotId: string): Promise<void>;
  resolveAsOf(): Promise<void>;
  toggleSource(name: string, on: boolean): void;
  loadPreflight(): Promise<void>;
  loadPlan(): Promise<void>;
  start(): Promise<void>;
  reset(): void;
}

const idle = { status: 'idle' } as const;
/** How far back the snapshot list looks; older ones are on the timeline. */
const RECENT_FROM = '90 days ago';
const RECENT_SHOWN = 40;

/** A failed run's error names its operation ("…; operation <id>; state rolled-back"). */
export function operationIdOf(e: ErrorInfo): string | null {
  const m = /operation (\d{8}T\d{6}Z?[\w-]*|[\w-]+);/.exec(e.detail ?? '') ?? /Restore (\S+) failed/.exec(e.message);
  return m?.[1] ?? null;
}

export const useRestoreWizardStore = create<WizardStore>((set, get) => {
  const choices = () => get().choices;

  /** Runs a backend call for the current choices and keeps its answer only if they did not change meanwhile. */
  async function fetchFor<K extends 'preflight' | 'plan'>(which: K, call: () => Promise<WizardStore[K] extends Loadable<infer T> ? T : never>) {
    const key = inputKey(choices());
    set({ [which]: { status: 'loading', key } } as Partial<WizardStore>);
    try {
      const value = await call();
      if (inputKey(choices()) === key) set({ [which]: { status: 'ready', key, value } } as Partial<WizardStore>);
    } catch (e) {
      if (inputKey(choices()) === key) set({ [which]: { status: 'error', key, error: toErrorInfo(e) } } as Partial<WizardStore>);
    }
  }

  return {
    step: 'what',
    reached: 0,
    choices: EMPTY_CHOICES,
    repositories: idle,
    recent: idle,
    manifest: idle,
    trust: idle,
    asOf: idle,
    preflight: idle,
    plan: idle,
    run: null,
    outcome: null,

    open(prefill) {
      const c = get().choices;
      const changed =
        (!!prefill.repositoryId && prefill.repositoryId !== c.repositoryId) ||
        (!!prefill.snapshotId && prefill.snapshotId !== c.snapshotId) ||
        (!!prefill.asOf && prefill.asOf !== c.asOfText);
      // A finished run, or a new prefill, starts a fresh wizard; otherwise coming back keeps everything.
      // A run in progress is never dropped: the wizard stays on it (the new link is ignored).
      if (get().step === 'run' && !get().outcome) return;
      const fresh = !!get().outcome || changed;
      if (fresh) get().reset();
      if (prefill.repositoryId) get().set({ repositoryId: prefill.repositoryId });
      if (fresh && prefill.asOf) {
        get().set({ mode: 'asOf', asOfText: prefill.asOf });
        void get().resolveAsOf();
      } else if (fresh && prefill.snapshotId) {
        get().set({ mode: 'snapshot' });
        void get().selectSnapshot(prefill.snapshotId);
      }
      void get().loadRepositories();
    },

    go(step) {
      const i = STEPS.findIndex((s) => s.id === step);
      set({ step, reached: Math.max(get().reached, i) });
    },

    set(patch) {
      set({ choices: { ...get().choices, ...patch } });
    },

    async loadRepositories() {
      set({ repositories: { status: 'loading', key: '' } });
      try {
        const repos = await requireClient().repositories.list();
        set({ repositories: { status: 'ready', key: '', value: repos } });
        if (!choices().repositoryId && repos[0]) get().set({ repositoryId: repos[0].id });
        await get().loadRecent();
      } catch (e) {
        set({ repositories: { status: 'error', key: '', error: toErrorInfo(e) } });
      }
    },

    async loadRecent() {
      const repositoryId = choices().repositoryId;
      if (!repositoryId) return;
      set({ recent: { status: 'loading', key: repositoryId } });
      try {
        const { items } = await requireClient().snapshots.summaries({ repositoryId, from: RECENT_FROM, limit: 5000 });
        if (choices().repositoryId !== repositoryId) return;
        set({ recent: { status: 'ready', key: repositoryId, value: items.slice(-RECENT_SHOWN).reverse() } });
      } catch (e) {
        if (choices().repositoryId === repositoryId) set({ recent: { status: 'error', key: repositoryId, error: toErrorInfo(e) } });
      }
    },

    async selectSnapshot(snapshotId) {
      const repositoryId = choices().repositoryId;
      get().set({ snapshotId, acceptUnsigned: '' });
      set({ manifest: { status: 'loading', key: snapshotId }, trust: { status: 'loading', key: snapshotId } });
      requireClient()
        .snapshots.trust({ repositoryId, id: snapshotId })
        .then(
          (value) => choices().snapshotId === snapshotId && set({ trust: { status: 'ready', key: snapshotId, value } }),
          (e: unknown) => choices().snapshotId === snapshotId && set({ trust: { status: 'error', key: snapshotId, error: toErrorInfo(e) } }),
        );
      try {
        const manifest = await requireClient().snapshots.get({ repositoryId, id: snapshotId });
        if (choices().snapshotId !== snapshotId) return;
        // A new snapshot: all its sources, each to the same name on the target by default.
        get().set({ sources: manifest.sources.map((s) => s.name), map: { ...defaultMap(manifest) }, paths: defaultPaths(manifest) });
        set({ manifest: { status: 'ready', key: snapshotId, value: manifest } });
      } catch (e) {
        if (choices().snapshotId === snapshotId) set({ manifest: { status: 'error', key: snapshotId, error: toErrorInfo(e) } });
      }
    },

    async resolveAsOf() {
      const { repositoryId, asOfText } = choices();
      const text = asOfText.trim();
      if (!repositoryId || !text) return;
      const key = `${repositoryId}|${text}`;
      set({ asOf: { status: 'loading', key } });
      try {
        const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        const value = await requireClient().snapshots.asOf({ repositoryId, when: text, timeZone });
        if (get().asOf.status !== 'loading' || (get().asOf as { key: string }).key !== key) return;
        set({ asOf: { status: 'ready', key, value } });
        // One set found: take its snapshot straight away (several: the user picks one).
        const only = value.sets.length === 1 ? value.sets[0] : undefined;
        if (only) await get().selectSnapshot(only.snapshot.id);
        else get().set({ snapshotId: '' });
      } catch (e) {
        set({ asOf: { status: 'error', key, error: toErrorInfo(e) } });
      }
    },

    toggleSource(name, on) {
      const now = new Set(choices().sources);
      if (on) now.add(name);
      else now.delete(name);
      const order = get().manifest.status === 'ready' ? (get().manifest as { value: Manifest }).value.sources.map((s) => s.name) : [...now];
      get().set({ sources: order.filter((n) => now.has(n)) });
    },

    async loadPreflight() {
      const m = get().manifest;
      await fetchFor('preflight', () => requireClient().restore.preflight(toRestoreInput(choices(), m.status === 'ready' ? m.value : null)));
    },

    async loadPlan() {
      const m = get().manifest;
      const input = toRestoreInput(choices(), m.status === 'ready' ? m.value : null);
      // A protected host is confirmed at the next step: plan as if confirmed (like the pre-flight
      // does), so the plan shows its steps and any OTHER blocker. The run sends what was typed.
      const host = useHostsStore.getState().hosts.find((h) => h.id === input.targetHostId);
      if (host?.protected) input.confirm = host.name;
      await fetchFor('plan', () => requireClient().restore.plan(input));
    },

    async start() {
      const m = get().manifest;
      const client = requireClient();
      set({ outcome: null });
      get().go('run');
      let unlisten = () => {};
      try {
        const { taskId, result } = await client.restore.run(toRestoreInput(choices(), m.status === 'ready' ? m.value : null));
        set({ run: { taskId, startedAt: Date.now(), fraction: 0, message: 'Starting…' } });
        unlisten = client.onTaskEvents(taskId, (events) => {
          const last = events.filter((e) => e.type === 'progress').pop();
          const run = get().run;
          if (last?.type === 'progress' && run?.taskId === taskId) set({ run: { ...run, fraction: last.fraction, message: last.message } });
        });
        const value = await result;
        const run = get().run;
        if (run) set({ run: { ...run, fraction: 1, message: 'Done' } });
        set({ outcome: { ok: true, result: value } });
      } catch (e) {
        const error = toErrorInfo(e);
        set({ outcome: { ok: false, error, operationId: operationIdOf(error), cancelled: error.code === 'CANCELLED' } });
      } finally {
        unlisten();
      }
      // The passphrase is not kept once it has been used.
      get().set({ passphrase: '' });
    },

    reset() {
      set({ step: 'what', reached: 0, choices: { ...EMPTY_CHOICES, repositoryId: choices().repositoryId }, manifest: idle, asOf: idle, preflight: idle, plan: idle, run: null, outcome: null });
    },
  };
});
