import { useEffect } from 'react';
import type { Client } from '../../shared/contract/index.js';
import { usePlansStore } from './usePlansStore';

/** Outside the Backups screen the plans are looked at this often, to announce agents' runs. */
const WATCH_MS = 60_000;

/**
 * While the console is open, runs that hosts' agents finished are announced wherever the user is
 * (a desktop notification in the app, a notice in web mode): the plans' run records are re-read
 * every minute (the Backups screen itself re-reads them every 15 s). Only when there are plans.
 */
export function usePlanRunWatcher(client: Client | null): void {
  useEffect(() => {
    if (!client) return;
    const load = usePlansStore.getState().load;
    void load();
    const timer = setInterval(() => {
      if (usePlansStore.getState().plans?.length) void load();
    }, WATCH_MS);
    return () => clearInterval(timer);
  }, [client]);
}
