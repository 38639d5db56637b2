import { useEffect } from 'react';
import type { Client } from '../../shared/contract/index.js';
import { useHostsStore } from '../hosts/useHostsStore';
import { useInventoryStore } from '../inventory/useInventoryStore';
import { useOperationsStore } from '../operations/useOperationsStore';

/**
 * The UI never polls: it loads once and refetches when the backend says something changed
 * (hosts.onChanged, inventory.onChanged — the latter fed by Docker's own event stream).
 */
export function useBackendEvents(client: Client | null) {
  useEffect(() => {
    if (!client) return;
    const hosts = useHostsStore.getState();
    void hosts.load();
    void hosts.discoverLocal();
    const offHosts = client.hosts.onChanged(() => {
      void useHostsStore.getState().load();
    });
    const offInventory = client.inventory.onChanged(({ hostId }) => {
      // Only hosts someone has looked at; the others load when opened.
      if (useInventoryStore.getState().byHost[hostId]) void useInventoryStore.getState().load(hostId);
    });
    // Operations: loaded at start (an interrupted one is offered for rollback at once), refetched when one changes.
    void useOperationsStore.getState().load();
    const offOperations = client.operations.onChanged(({ id }) => useOperationsStore.getState().changed(id));
    return () => {
      offHosts();
      offInventory();
      offOperations();
    };
  }, [client]);
}
