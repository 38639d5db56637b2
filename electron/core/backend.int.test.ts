/**
 * Backend-level behaviour against the lab: first-run seeding of the local engine, local discovery,
 * and a host whose connection is edited (the old tunnel must not be reused).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostInput } from '../../shared/contract/hosts.js';
import { createBackend, type Backend } from './backend.js';
import { readLab, sshConnectionOf, tempConfigDir } from './testing/lab.js';

const open: Array<{ backend: Backend; cleanup: () => Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.backend.dispose();
    await o.cleanup();
  }
});

describe('first run', () => {
  it('adds the local engine as host "local" when it answers, and never again once hosts.json exists', async () => {
    const socket = readLab().machines.science.localSocket;
    const cfg = await tempConfigDir();
    const events: unknown[] = [];
    const backend = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, localSocketPath: socket });
    backend.onEvent((n, p) => events.push([n, p]));
    open.push({ backend, cleanup: cfg.cleanup });
    const [local] = await backend.handlers.hosts.list({});
    expect(local).toMatchObject({ name: 'local', role: 'other', protected: false, connection: { type: 'local', socketPath: socket } });
    expect(await backend.handlers.hosts.discoverLocal({})).toEqual({ socketPath: socket, reachable: true, alreadyAdded: true });
    expect(await backend.handlers.hosts.check({ id: local!.id })).toMatchObject({ ok: true });

    await backend.handlers.hosts.remove({ id: local!.id });
    expect(events).toContainEqual(['hosts.onChanged', { hostId: local!.id }]);
    const again = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, localSocketPath: socket });
    open.push({ backend: again, cleanup: async () => undefined });
    expect(await again.handlers.hosts.list({})).toEqual([]);
    expect(await again.handlers.hosts.discoverLocal({})).toMatchObject({ reachable: true, alreadyAdded: false });
  });

  it('adds nothing when no local engine answers', async () => {
    const cfg = await tempConfigDir();
    const backend = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, localSocketPath: '/run/none/docker.sock' });
    open.push({ backend, cleanup: cfg.cleanup });
    expect(await backend.handlers.hosts.list({})).toEqual([]);
    await expect(fs.access(path.join(cfg.dir, 'hosts.json'))).rejects.toThrow();
    expect(await backend.handlers.hosts.discoverLocal({})).toEqual({ socketPath: '/run/none/docker.sock', reachable: false, alreadyAdded: false });
  });

  it("reads the lab's ready-made config dir as is", async () => {
    const lab = readLab();
    const backend = await createBackend({ configDir: lab.configDir, userKnownHostsPath: null, seedLocalHost: false });
    open.push({ backend, cleanup: async () => undefined });
    const hosts = await backend.handlers.hosts.list({});
    expect(hosts.map((h) => h.name).sort()).toEqual(['production', 'science']);
    for (const h of hosts) expect(await backend.handlers.hosts.check({ id: h.id })).toMatchObject({ ok: true });
  });
});

describe('editing a host', () => {
  it('uses the new connection settings at once', async () => {
    const lab = readLab();
    const m = lab.machines.science;
    const cfg = await tempConfigDir({ pinned: true });
    const backend = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, seedLocalHost: false });
    open.push({ backend, cleanup: cfg.cleanup });
    const host = await backend.handlers.hosts.add(HostInput.parse({ name: 'science', connection: sshConnectionOf(m) }));
    expect(await backend.handlers.hosts.check({ id: host.id })).toMatchObject({ ok: true });
    await backend.handlers.hosts.update({ id: host.id, patch: { connection: sshConnectionOf(m, { remoteSocket: '/run/elsewhere.sock' }) } });
    expect(await backend.handlers.hosts.check({ id: host.id })).toMatchObject({ ok: false, step: 'socket' });
    await backend.handlers.hosts.update({ id: host.id, patch: { connection: sshConnectionOf(m) } });
    expect(await backend.handlers.hosts.check({ id: host.id })).toMatchObject({ ok: true });
  });
});
