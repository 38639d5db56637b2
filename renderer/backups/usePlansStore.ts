/** The Backups screen's state: the plans (with what their repository says) and a retention preview. */
import { create } from 'zustand';
import type { PlanView, PruneResult } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';

interface PlansStore {
  plans: PlanView[] | null;
  error: ErrorInfo | null;
  preview: { plan: PlanView; result: PruneResult | null; error: ErrorInfo | null } | null;
  load(): Promise<void>;
  openPreview(plan: PlanView): Promise<void>;
  closePreview(): void;
}

export const usePlansStore = create<PlansStore>((set, get) => ({
  plans: null,
  error: null,
  preview: null,
  async load() {
    try {
      set({ plans: await requireClient().plans.list(), error: null });
    } catch (e) {
      set({ error: toErrorInfo(e) });
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
}));
