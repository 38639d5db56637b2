/**
 * A dropped SSH connection: requests reconnect on demand and the inventory's event stream comes
 * back by itself (and says "refetch", since events may have been missed). The drop is real: the
 * host is reached through a TCP relay on loopback whose connections we cut.
 */
import fs from 'node:fs/promises';
import { TcpRelay } from './testing/tcp-relay.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostInput, type Host } from '../../shared/contract/hosts.js';
import { createBackend, type Backend } from './backend.js';
import { readLab, sshConnectionOf, tempConfigDir, waitFor } from './testing/lab.js';

let relay: TcpRelay;
let relayPort: number;
let cfg: Awaited<ReturnType<typeof tempConfigDir>>;
let backend: Backend;
let host: Host;
const changes: string[] = [];

beforeAll(async () => {
  const prod = readLab().machines.production;
  relay = new TcpRelay(prod.address, prod.port);
  relayPort = await relay.listen();

  cfg = await tempConfigDir();
  // Production's real key, pinned under the relay's address.
  const key = prod.hostKeyLine.split(' ').slice(1).join(' ');
  await fs.writeFile(path.join(cfg.dir, 'known_hosts'), `[127.0.0.1]:${relayPort} ${key}\n`);
  backend = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, seedLocalHost: false });
  backend.onEvent((name, p) => name === 'inventory.onChanged' && changes.push((p as { hostId: string }).hostId));
  host = await backend.handlers.hosts.add(
    HostInput.parse({ name: 'relayed', connection: sshConnectionOf(prod, { address: '127.0.0.1', port: relayPort }) }),
  );
});

afterAll(async () => {
  await backend.dispose();
  relay.close();
  await cfg.cleanup();
});

function cut(): void {
  relay.cut();
}

describe('tunnel drops', () => {
  it('reconnects on the next request', async () => {
    expect(await backend.handlers.hosts.check({ id: host.id })).toMatchObject({ ok: true });
    cut();
    await new Promise((r) => setTimeout(r, 100));
    expect(await backend.handlers.hosts.check({ id: host.id })).toMatchObject({ ok: true });
    const inv = await backend.handlers.inventory.get({ hostId: host.id, refresh: true });
    expect(inv.containers.length).toBeGreaterThan(0);
  });

  it('the event stream comes back after a drop and tells the UI to refetch', async () => {
    await backend.handlers.inventory.get({ hostId: host.id, refresh: false });
    await new Promise((r) => setTimeout(r, 500)); // event stream live
    changes.length = 0;
    cut();
    await waitFor('inventory.onChanged after the reconnect', () => changes.includes(host.id), 15_000);
    // The watcher is live again: a real change is seen.
    changes.length = 0;
    await backend.handlers.services.container({ hostId: host.id, containerId: 'shop-app-1', action: 'restart' });
    await waitFor('inventory.onChanged for the restart', () => changes.includes(host.id), 15_000);
  });

  it('a followed log stream fails with a clear error instead of hanging', async () => {
    const ac = new AbortController();
    let got = 0;
    const following = backend.handlers.logs.follow(
      { hostId: host.id, containerId: 'shop-app-1', tail: 1 },
      { signal: ac.signal, push: () => void got++ },
    );
    await waitFor('the first line', () => got > 0, 10_000);
    cut();
    await expect(following).rejects.toMatchObject({ code: 'DOCKER_ERROR' });
    ac.abort();
  });
});
