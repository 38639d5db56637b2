import { create } from 'zustand';
import type { OperationSummary } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';
import { notifyOperationEnded } from './notifyOperationEnded';

interface OperationsStore {
  /** From the journals, newest first; null until the first load. */
  list: OperationSummary[] | null;
  error: ErrorInfo | null;
  /** Bumped on every operations.onChanged, so open views refetch the one they show. */
  changes: Record<string, number>;
  load(): Promise<void>;
  /** operations.onChanged: refetch the list, tell the views showing that operation. */
  changed(id: string): void;
}

let loading: Promise<void> | null = null;
let again = false;

/**
 * The operations list, shared by the operations page, the sidebar badge, the interrupted-operation
 * banner and every OperationView that resolves a task to its operation. Loaded once when the
 * connection is ready and refetched on operations.onChanged (the backend says when, nobody polls).
 */
export const useOperationsStore = create<OperationsStore>((set, get) => ({
  list: null,
  error: null,
  changes: {},
  async load() {
    // Bursts of onChanged (every step) coalesce into one fetch in flight plus at most one after it.
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      do {
        again = false;
        try {
          const next = await requireClient().operations.list({});
          const previous = get().list;
          set({ list: next, error: null });
          if (previous) notifyEnded(previous, next);
        } catch (e) {
          set({ error: toErrorInfo(e) });
        }
      } while (again);
    })();
    try {
      await loading;
    } finally {
      loading = null;
    }
  },
  changed(id) {
    set({ changes: { ...get().changes, [id]: (get().changes[id] ?? 0) + 1 } });
    void get().load();
  },
}));

/** How recently an operation we never saw running may have ended and still be worth telling about. */
const RECENT_MS = 60_000;

/**
 * Operations that were running at the previous load and have ended since — or that started and
 * ended between two loads (a quick failure), as long as that was just now.
 */
export function endedSince(previous: readonly OperationSummary[], next: readonly OperationSummary[], now = Date.now()): OperationSummary[] {
  const before = new Map(previous.map((o) => [o.id, o.state]));
  return next.filter((op) => {
    if (op.state === 'running' || op.state === 'interrupted') return false;
    const was = before.get(op.id);
    const endedRecently = !!op.endedAt && now - Date.parse(op.endedAt) < RECENT_MS;
    return was === 'running' || (was === undefined && endedRecently);
  });
}

function notifyEnded(previous: OperationSummary[], next: OperationSummary[]) {
  for (const op of endedSince(previous, next)) notifyOperationEnded(op);
}

export const runningCount = (list: OperationSummary[] | null) => (list ?? []).filter((o) => o.state === 'running').length;
export const interruptedOperations = (list: OperationSummary[] | null) => (list ?? []).filter((o) => o.state === 'interrupted');
