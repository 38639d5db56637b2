import { create } from 'zustand';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo } from '../app/errors';
import { toast } from '../app/useToastStore';
import { useOperationsStore } from './useOperationsStore';

export interface RollbackRun {
  taskId: string | null;
  fraction: number | null;
  message: string;
}

interface RollbackStore {
  /** operation id → its rollback while it runs. */
  runs: Record<string, RollbackRun>;
  /** Interrupted operations the user chose to deal with later (this session only). */
  dismissed: Record<string, true>;
  rollback(operationId: string, title: string): Promise<void>;
  dismiss(operationId: string): void;
}

/** Rolling an interrupted operation back (operations.rollback), from the banner or its page. */
export const useRollbackStore = create<RollbackStore>((set, get) => {
  const setRun = (id: string, run: RollbackRun | null) => {
    const runs = { ...get().runs };
    if (run) runs[id] = run;
    else delete runs[id];
    set({ runs });
  };
  return {
    runs: {},
    dismissed: {},
    async rollback(operationId, title) {
      if (get().runs[operationId]) return;
      const client = requireClient();
      setRun(operationId, { taskId: null, fraction: null, message: 'Starting the rollback…' });
      let off = () => {};
      try {
        const { taskId, result } = await client.operations.rollback({ id: operationId });
        setRun(operationId, { taskId, fraction: null, message: 'Rolling back…' });
        off = client.onTaskEvents(taskId, (events) => {
          const last = events.filter((e) => e.type === 'progress').pop();
          if (last?.type === 'progress') setRun(operationId, { taskId, fraction: last.fraction, message: last.message });
        });
        const out = await result;
        const ok = out.state === 'rolled-back';
        toast({
          tone: ok ? 'success' : 'danger',
          title: ok ? `Rolled back: ${title}` : `Rollback ended ${out.state}: ${title}`,
          message: out.actions.join('\n') || undefined,
        });
      } catch (e) {
        toast({ tone: 'danger', title: `Could not roll back ${title}`, message: toErrorInfo(e).message });
      } finally {
        off();
        setRun(operationId, null);
        void useOperationsStore.getState().load();
      }
    },
    dismiss(operationId) {
      set({ dismissed: { ...get().dismissed, [operationId]: true } });
    },
  };
});
