/** The `hosts.*` handlers: the saved hosts, connection checks, host keys, ssh-config import, local discovery. */
import type { BackendHandlers } from './backend-types.js';
import type { HostsRepository } from './config/hosts-repository.js';
import { checkEngine } from './docker/check.js';
import type { EngineRegistry } from './docker/engine-registry.js';
import type { InventoryService } from './docker/inventory-service.js';
import { localSocketPath, pingSocket } from './docker/local-discovery.js';
import type { KnownHostsStore } from './ssh/known-hosts-store.js';
import type { PendingHostKeys } from './ssh/pending-host-keys.js';
import { importSshConfig } from './ssh/ssh-config-import.js';
import { createLogger } from './log.js';

const log = createLogger('hosts');

export interface HostsDeps {
  hosts: HostsRepository;
  engines: EngineRegistry;
  inventory: InventoryService;
  knownHosts: KnownHostsStore;
  pendingKeys: PendingHostKeys;
  localSocket: string | undefined;
  emit: (name: 'hosts.onChanged', payload: { hostId?: string }) => void;
}

export function hostsHandlers(d: HostsDeps): BackendHandlers['hosts'] {
  /** Connection settings changed or the host is gone: close its tunnel, stop watching it. */
  const forgetConnection = async (hostId: string) => {
    await d.inventory.forget(hostId);
    d.engines.drop(hostId);
  };

  return {
    list: () => d.hosts.list(),
    get: ({ id }) => d.hosts.get(id),

    add: async (input) => {
      const host = await d.hosts.add(input);
      log.info(`added host ${host.name}`);
      d.emit('hosts.onChanged', { hostId: host.id });
      return host;
    },

    update: async ({ id, patch }) => {
      const before = await d.hosts.stored(id);
      const host = await d.hosts.update(id, patch);
      if (JSON.stringify(before.connection) !== JSON.stringify(host.connection) || before.name !== host.name) {
        await forgetConnection(id);
      }
      d.emit('hosts.onChanged', { hostId: id });
      return host;
    },

    remove: async ({ id }) => {
      const removed = await d.hosts.remove(id);
      if (removed) {
        await forgetConnection(id);
        d.emit('hosts.onChanged', { hostId: id });
      }
      return { removed };
    },

    check: async ({ id }) => checkEngine(await d.engines.forHost(id)),

    probe: async (input) => {
      const engine = d.engines.temporary(input.name, input.connection, input.keyPassphrase);
      try {
        return await checkEngine(engine);
      } finally {
        engine.dispose();
      }
    },

    acceptHostKey: async ({ hostPattern, fingerprint }) => {
      const seen = d.pendingKeys.take(hostPattern, fingerprint);
      if (!seen) return { accepted: false };
      await d.knownHosts.pin(seen.hostPattern, seen.keyType, seen.key);
      log.info(`pinned host key ${seen.keyType} ${seen.fingerprint} for ${seen.hostPattern}`);
      return { accepted: true };
    },

    importSshConfig: ({ path }) => importSshConfig(path),

    discoverLocal: async () => {
      const socketPath = d.localSocket ?? localSocketPath();
      const [reachable, hosts] = await Promise.all([pingSocket(socketPath), d.hosts.list()]);
      const alreadyAdded = hosts.some((h) => h.connection.type === 'local' && h.connection.socketPath === socketPath);
      return { socketPath, reachable, alreadyAdded };
    },
  };
}
