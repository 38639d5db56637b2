/**
 * "Recover to a moment": the dialog's state for one archived cluster (a PitrBand) — the moment,
 * the target host and container, the plan (pitr.restore as a dry run: every refusal comes here,
 * before anything is touched) and the run (the same task, which the backend runs as an operation:
 * its steps and log come from OperationView, by task id).
 */
import { create } from 'zustand';
import type { PitrRestoreResult } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';
import type { PitrBand } from './usePitrStore';

export interface PitrChoices {
  /** "YYYY-MM-DDTHH:MM:SS" in this computer's time zone (what <input type="datetime-local"> holds). */
  moment: string;
  targetHostId: string;
  target: string;
  confirm: string;
}

type Answer<T> = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: ErrorInfo };

interface PitrRecoverStore {
  band: PitrBand | null;
  choices: PitrChoices;
  plan: Answer<PitrRestoreResult>;
  run: { taskId: string; fraction: number | null; message: string } | null;
  outcome: Answer<PitrRestoreResult>;
  open(band: PitrBand): void;
  close(): void;
  set(patch: Partial<PitrChoices>): void;
  loadPlan(): Promise<void>;
  start(): Promise<void>;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A time as datetime-local's value, in this computer's zone, to the second. */
export function localInputValue(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
/** datetime-local's value (read in this computer's zone) as ISO 8601 UTC; null when it is not a time. */
export function momentIso(value: string): string | null {
  const ms = Date.parse(value);
  return value && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const idle = { status: 'idle' } as const;
let unlisten: (() => void) | null = null;

export const usePitrRecoverStore = create<PitrRecoverStore>((set, get) => {
  const input = (dryRun: boolean) => {
    const { band, choices } = get();
    const at = momentIso(choices.moment);
    if (!band || !at) throw new Error('Choose a moment in the window.');
    return { repositoryId: band.repositoryId, cluster: band.cluster.cluster, at, targetHostId: choices.targetHostId, target: choices.target.trim(), dryRun, ...(choices.confirm ? { confirm: choices.confirm } : {}) };
  };
  return {
    band: null,
    choices: { moment: '', targetHostId: '', target: '', confirm: '' },
    plan: idle,
    run: null,
    outcome: idle,
    open(band) {
      unlisten?.();
      const newest = band.windows[0];
      // The newest moment recoverable (a minute behind the server), the usual choice.
      set({ band, choices: { moment: newest ? localInputValue(newest.to) : '', targetHostId: '', target: '', confirm: '' }, plan: idle, run: null, outcome: idle });
      // The window grows every minute while the agent ships WAL: read it afresh for the dialog.
      void requireClient()
        .pitr.status({ repositoryId: band.repositoryId })
        .then((status) => {
          const c = status.clusters.find((x) => x.cluster === band.cluster.cluster);
          if (!c || get().band?.key !== band.key) return;
          const windows = c.windows.map((w) => ({ from: Date.parse(w.from), to: Date.parse(w.to) }));
          const untouched = get().choices.moment === (newest ? localInputValue(newest.to) : '');
          set((st) => ({ band: { ...band, cluster: c, windows }, ...(untouched && windows[0] ? { choices: { ...st.choices, moment: localInputValue(windows[0].to) } } : {}) }));
        })
        .catch(() => undefined);
    },
    close() {
      unlisten?.();
      unlisten = null;
      set({ band: null, run: null, plan: idle, outcome: idle });
    },
    set(patch) {
      // A changed choice makes the plan shown stale.
      set((s) => ({ choices: { ...s.choices, ...patch }, plan: idle }));
    },
    async loadPlan() {
      set({ plan: { status: 'loading' } });
      try {
        const { result } = await requireClient().pitr.restore(input(true));
        set({ plan: { status: 'ready', value: await result } });
      } catch (e) {
        set({ plan: { status: 'error', error: toErrorInfo(e) } });
      }
    },
    async start() {
      const client = requireClient();
      set({ outcome: { status: 'loading' } });
      try {
        const { taskId, result } = await client.pitr.restore(input(false));
        set({ run: { taskId, fraction: 0, message: 'Starting…' } });
        unlisten = client.onTaskEvents(taskId, (events) => {
          const last = [...events].reverse().find((e) => e.type === 'progress');
          const run = get().run;
          if (last?.type === 'progress' && run && run.taskId === taskId) set({ run: { taskId, fraction: last.fraction, message: last.message } });
        });
        const value = await result;
        set({ outcome: { status: 'ready', value } });
      } catch (e) {
        set({ outcome: { status: 'error', error: toErrorInfo(e) } });
      }
    },
  };
});
