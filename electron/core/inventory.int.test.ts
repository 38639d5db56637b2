/**
 * Inventory, service control and live logs against the real lab's production machine, compared
 * with what the docker CLI reports straight from the engine socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostInput, type Host } from '../../shared/contract/hosts.js';
import type { LogLine } from '../../shared/contract/logs.js';
import type { TaskEvent } from '../../shared/contract/tasks.js';
import { createBackend, type Backend } from './backend.js';
import { dockerCli, readLab, sshConnectionOf, tempConfigDir, waitFor, type LabFacts, type LabMachine } from './testing/lab.js';

let lab: LabFacts;
let prod: LabMachine;
let cfg: Awaited<ReturnType<typeof tempConfigDir>>;
let backend: Backend;
let host: Host;
const changes: string[] = [];

async function cliState(name: string): Promise<string> {
  return dockerCli(prod, 'inspect', '--format', '{{.State.Status}}', name);
}

beforeAll(async () => {
  lab = readLab();
  prod = lab.machines.production;
  cfg = await tempConfigDir({ pinned: true });
  // A wider debounce than the default 200 ms keeps "one event per burst" stable on a loaded machine.
  backend = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, seedLocalHost: false, inventory: { debounceMs: 500 } });
  backend.onEvent((name, payload) => {
    if (name === 'inventory.onChanged') changes.push((payload as { hostId: string }).hostId);
  });
  host = await backend.handlers.hosts.add(HostInput.parse({ name: 'production', connection: sshConnectionOf(prod) }));
});

afterAll(async () => {
  // Leave the lab as we found it, whatever failed above.
  for (const name of lab.stacks.production!.containers) {
    if ((await cliState(name).catch(() => '')) !== 'running') await dockerCli(prod, 'start', name).catch(() => undefined);
  }
  await backend.dispose();
  await cfg.cleanup();
});

describe('inventory.get', () => {
  it('equals what the docker CLI reports on that engine', async () => {
    const inv = await backend.handlers.inventory.get({ hostId: host.id, refresh: false });
    const cliContainers = (await dockerCli(prod, 'ps', '-a', '--format', '{{.Names}} {{.State}}'))
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(inv.containers.map((c) => `${c.name} ${c.state}`).sort()).toEqual(cliContainers);
    const cliVolumes = (await dockerCli(prod, 'volume', 'ls', '--format', '{{.Name}}')).split('\n').filter(Boolean).sort();
    expect(inv.volumes.map((v) => v.name).sort()).toEqual(cliVolumes);
    for (const v of inv.volumes) {
      const users = (await dockerCli(prod, 'ps', '-a', '--filter', `volume=${v.name}`, '--format', '{{.Names}}')).split('\n').filter(Boolean).sort();
      expect(v.usedBy, `users of ${v.name}`).toEqual(users);
    }
    // The lab's compose project.
    const shop = inv.stacks.find((s) => s.name === 'shop')!;
    const names = shop.containerIds.map((id) => inv.containers.find((c) => c.id === id)!.name).sort();
    expect(names).toEqual([...lab.stacks.production!.containers].sort());
    expect(shop.volumeNames).toEqual(expect.arrayContaining(lab.stacks.production!.volumes));
    const db = inv.containers.find((c) => c.name === 'shop-db-1')!;
    expect(db).toMatchObject({ project: 'shop', service: 'db', databaseKind: 'postgres' });
    expect(inv.containers.find((c) => c.name === 'shop-app-1')?.databaseKind).toBeNull();
    expect(db.mounts.some((m) => m.type === 'volume' && m.name === 'shop_pgdata')).toBe(true);
  });

  it('serves from cache while the event stream is live; refresh bypasses it', async () => {
    const a = await backend.handlers.inventory.get({ hostId: host.id, refresh: false });
    const b = await backend.handlers.inventory.get({ hostId: host.id, refresh: true });
    expect(b).not.toBe(a);
    // Once the host's event stream is live, a fetch is trusted until the engine reports a change.
    await waitFor('a cached answer', async () => {
      const fresh = await backend.handlers.inventory.get({ hostId: host.id, refresh: true });
      return (await backend.handlers.inventory.get({ hostId: host.id, refresh: false })) === fresh;
    });
  });

  it('unknown hosts are NOT_FOUND', async () => {
    await expect(backend.handlers.inventory.get({ hostId: 'nope', refresh: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('services and inventory events', () => {
  it('stops then starts a container; the docker CLI agrees; inventory.onChanged fires once per burst', async () => {
    await backend.handlers.inventory.get({ hostId: host.id, refresh: true }); // watch the host
    await new Promise((r) => setTimeout(r, 300));
    changes.length = 0;
    const stopped = await backend.handlers.services.container({ hostId: host.id, containerId: 'shop-app-1', action: 'stop' });
    expect(stopped).toMatchObject({ ok: true, name: 'shop-app-1', action: 'stop', state: 'exited' });
    expect(await cliState('shop-app-1')).toBe('exited');
    await waitFor('inventory.onChanged', () => changes.includes(host.id), 10_000);
    // The stop's burst (kill, die, network disconnect, volume unmount, stop) is folded into one event.
    await new Promise((r) => setTimeout(r, 800));
    expect(changes.filter((h) => h === host.id)).toHaveLength(1);
    const inv = await backend.handlers.inventory.get({ hostId: host.id, refresh: false });
    expect(inv.containers.find((c) => c.name === 'shop-app-1')?.state).toBe('exited');

    // Stopping a stopped container counts as done (engine 304).
    expect(await backend.handlers.services.container({ hostId: host.id, containerId: 'shop-app-1', action: 'stop' })).toMatchObject({ ok: true });

    const started = await backend.handlers.services.container({ hostId: host.id, containerId: 'shop-app-1', action: 'start' });
    expect(started).toMatchObject({ ok: true, state: 'running' });
    expect(await cliState('shop-app-1')).toBe('running');
  });

  it('a container that does not exist is a DOCKER_ERROR', async () => {
    await expect(backend.handlers.services.container({ hostId: host.id, containerId: 'no-such-container', action: 'start' })).rejects.toMatchObject({
      code: 'DOCKER_ERROR',
    });
  });

  it('restarts a compose stack in dependency order with progress per container', async () => {
    const events: TaskEvent[] = [];
    const ctx = { signal: new AbortController().signal, report: (e: TaskEvent) => void events.push(e) };
    const task = backend.handlers.services.stack;
    expect(task.title({ hostId: host.id, project: 'shop', action: 'restart' })).toContain('shop');
    const { outcomes } = await task.run({ hostId: host.id, project: 'shop', action: 'restart' }, ctx);
    expect(outcomes.map((o) => [o.name, o.ok, o.state])).toEqual([
      ['shop-db-1', true, 'running'],
      ['shop-app-1', true, 'running'],
    ]);
    const steps = events.filter((e) => e.type === 'progress').map((e) => e.message);
    expect(steps).toEqual(['Stopping shop-app-1', 'Stopping shop-db-1', 'Starting shop-db-1', 'Starting shop-app-1', 'Restarting shop: done']);
    for (const name of ['shop-db-1', 'shop-app-1']) expect(await cliState(name)).toBe('running');
  });

  it('a cancelled stack task stops between containers with CANCELLED', async () => {
    const ac = new AbortController();
    const ctx = {
      signal: ac.signal,
      // Cancel as soon as the first container is being handled.
      report: (e: TaskEvent) => {
        if (e.type === 'progress') ac.abort();
      },
    };
    await expect(backend.handlers.services.stack.run({ hostId: host.id, project: 'shop', action: 'stop' }, ctx)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    // Only the first in stop order (the newest, shop-app-1) was stopped.
    expect(await cliState('shop-db-1')).toBe('running');
    expect(await cliState('shop-app-1')).toBe('exited');
    await dockerCli(prod, 'start', 'shop-app-1');
  });
});

describe('logs.follow', () => {
  it('delivers a line written after subscribing, and ends when unsubscribed', async () => {
    const lines: LogLine[] = [];
    const ac = new AbortController();
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    const following = backend.handlers.logs.follow(
      { hostId: host.id, containerId: 'shop-app-1', tail: 5 },
      { signal: ac.signal, push: (l) => void lines.push(l) },
    );
    await waitFor('the tail', () => lines.length > 0, 10_000);
    await dockerCli(prod, 'exec', 'shop-app-1', 'sh', '-c', `echo ${marker} > /proc/1/fd/1; echo ${marker}-err > /proc/1/fd/2`);
    await waitFor('the marker line', () => lines.some((l) => l.line === marker), 10_000);
    await waitFor('the stderr marker', () => lines.some((l) => l.line === `${marker}-err`), 10_000);
    const out = lines.find((l) => l.line === marker)!;
    expect(out.stream).toBe('stdout');
    expect(lines.find((l) => l.line === `${marker}-err`)!.stream).toBe('stderr');
    expect(Number.isNaN(Date.parse(out.ts))).toBe(false);
    ac.abort();
    await expect(following).resolves.toBeUndefined();
    const count = lines.length;
    await new Promise((r) => setTimeout(r, 2_500)); // the app prints every 2 s: nothing more may arrive
    expect(lines.length).toBe(count);
  });

  it('resolves when the container stops (the engine ends the stream)', async () => {
    const ac = new AbortController();
    const following = backend.handlers.logs.follow({ hostId: host.id, containerId: 'shop-app-1', tail: 0 }, { signal: ac.signal, push: () => undefined });
    await new Promise((r) => setTimeout(r, 300));
    await dockerCli(prod, 'stop', '-t', '1', 'shop-app-1');
    await expect(following).resolves.toBeUndefined();
    await dockerCli(prod, 'start', 'shop-app-1');
  });
});
