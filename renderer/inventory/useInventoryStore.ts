import { create } from 'zustand';
import type { Inventory } from '../../shared/contract/index.js';
import { requireClient } from '../app/useConnectionStore';
import { toErrorInfo, type ErrorInfo } from '../app/errors';

export interface InventoryEntry {
  data: Inventory | null;
  loading: boolean;
  error: ErrorInfo | null;
}

interface InventoryStore {
  byHost: Record<string, InventoryEntry>;
  /** Fetch (or refetch) a host's inventory. Concurrent requests coalesce into one more fetch. */
  load(hostId: string, refresh?: boolean): Promise<void>;
  forget(hostId: string): void;
}

const inFlight = new Map<string, Promise<void>>();
const again = new Set<string>();

export const useInventoryStore = create<InventoryStore>((set, get) => {
  const patch = (hostId: string, p: Partial<InventoryEntry>) => {
    const prev = get().byHost[hostId] ?? { data: null, loading: false, error: null };
    set({ byHost: { ...get().byHost, [hostId]: { ...prev, ...p } } });
  };

  async function fetchOnce(hostId: string, refresh: boolean): Promise<void> {
    patch(hostId, { loading: true });
    try {
      const data = await requireClient().inventory.get({ hostId, refresh });
      patch(hostId, { data, loading: false, error: null });
    } catch (e) {
      // Keep the last good data on screen: a blip should not blank the page.
      patch(hostId, { loading: false, error: toErrorInfo(e) });
    }
  }

  return {
    byHost: {},
    load(hostId, refresh = false) {
      const running = inFlight.get(hostId);
      if (running) {
        // A burst of Docker events must not become a burst of fetches: one more after this one.
        again.add(hostId);
        return running;
      }
      const p = (async () => {
        await fetchOnce(hostId, refresh);
        while (again.delete(hostId)) await fetchOnce(hostId, false);
      })().finally(() => inFlight.delete(hostId));
      inFlight.set(hostId, p);
      return p;
    },
    forget(hostId) {
      const byHost = { ...get().byHost };
      delete byHost[hostId];
      set({ byHost });
    },
  };
});
