/**
 * The Backups screen's state: the plans (with what their repository says — refreshed every 15 s
 * while the screen is open, so an agent's runs appear), "Run now", the new-plan dialog and a
 * retention preview. A run that ended since the last look (an agent's, on schedule) is announced:
 * a desktop notification in the app, a toast in web mode.
 */
import { create } from 'zustand';
import type { PlanRun, PlanView, PruneResult } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';
import { formatRoute } from '../app/routes';
import { toast } from '../app/useToastStore';
import { desktopNotification } from '../operations/notifyOperationEnded';

interface PlansStore {
  plans: PlanView[] | null;
  error: ErrorInfo | null;
  preview: { plan: PlanView; result: PruneResult | null; error: ErrorInfo | null } | null;
  creating: boolean;
  /** Plans with a "Run now" in progress, and its last progress message. */
  running: Record<string, string>;
  load(): Promise<void>;
  runNow(plan: PlanView): Promise<void>;
  openPreview(plan: PlanView): Promise<void>;
  closePreview(): void;
  setCreating(open: boolean): void;
}

function announce(plan: PlanView, run: PlanRun) {
  const ok = run.result === 'succeeded';
  const title = `Plan ${plan.name}: backup ${ok ? 'succeeded' : 'FAILED'}`;
  const message = ok ? `Snapshot ${run.snapshotId ?? ''} by ${run.runner}.` : `${run.error ?? 'failed'} (${run.runner})`;
  if (!desktopNotification(title, message, formatRoute({ page: 'backups' }))) toast({ tone: ok ? 'success' : 'danger', title, message });
}

export const usePlansStore = create<PlansStore>((set, get) => ({
  plans: null,
  error: null,
  preview: null,
  creating: false,
  running: {},
  async load() {
    try {
      const plans = await requireClient().plans.list();
      const before = get().plans;
      if (before) {
        for (const p of plans) {
          const old = before.find((b) => b.id === p.id);
          const run = p.lastRun?.kind === 'backup' ? p.lastRun : p.lastGoodBackup;
          const oldRun = old?.lastRun?.kind === 'backup' ? old.lastRun : old?.lastGoodBackup;
          // Runs from this console are announced by their own task; others' (the agent's) here.
          if (old && run && run.endedAt !== oldRun?.endedAt && !run.runner.startsWith('console@') && !get().running[p.id]) announce(p, run);
        }
      }
      set({ plans, error: null });
    } catch (e) {
      set({ error: toErrorInfo(e) });
    }
  },
  async runNow(plan) {
    if (get().running[plan.id]) return;
    const client = requireClient();
    const mark = (message: string | null) =>
      set((s) => {
        const running = { ...s.running };
        if (message === null) delete running[plan.id];
        else running[plan.id] = message;
        return { running };
      });
    mark('Starting…');
    let unlisten = () => {};
    try {
      const { taskId, result } = await client.plans.run({ id: plan.id });
      unlisten = client.onTaskEvents(taskId, (events) => {
        const last = events.filter((e) => e.type === 'progress').pop();
        if (last?.type === 'progress') mark(last.message);
      });
      const r = await result;
      toast({ tone: 'success', title: `Plan ${plan.name} ran`, message: `Snapshot ${r.snapshotId}${r.deleted.length ? `; retention deleted ${r.deleted.length}` : ''}.` });
    } catch (e) {
      toast({ tone: 'danger', title: `Plan ${plan.name} failed`, message: toErrorInfo(e).message });
    } finally {
      unlisten();
      mark(null);
      void get().load();
    }
  },
  async openPreview(plan) {
    set({ preview: { plan, result: null, error: null } });
    try {
      const result = await requireClient().plans.prune({ id: plan.id, dryRun: true });
      if (get().preview?.plan.id === plan.id) set({ preview: { plan, result, error: null } });
    } catch (e) {
      if (get().preview?.plan.id === plan.id) set({ preview: { plan, result: null, error: toErrorInfo(e) } });
    }
  },
  closePreview() {
    set({ preview: null });
  },
  setCreating(open) {
    set({ creating: open });
  },
}));
