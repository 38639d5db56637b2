/** Backend handlers that need no engine: the hosts lifecycle, events, and refusals. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostsContract } from '../../shared/contract/hosts.js';
import { createBackend, type Backend } from './backend.js';
import { tempConfigDir } from './testing/lab.js';

let cfg: Awaited<ReturnType<typeof tempConfigDir>>;
let backend: Backend;
let events: Array<[string, unknown]>;

beforeEach(async () => {
  cfg = await tempConfigDir();
  backend = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, localSocketPath: '/nonexistent/docker.sock' });
  events = [];
  backend.onEvent((n, p) => events.push([n, p]));
});
afterEach(async () => {
  await backend.dispose();
  await cfg.cleanup();
});

const addInput = hostsContract.add.input.parse({
  name: 'production',
  role: 'production',
  protected: true,
  connection: { type: 'ssh', address: '10.1.2.3', user: 'ops', auth: { type: 'agent' } },
  keyPassphrase: 'not a real one',
});

describe('hosts lifecycle', () => {
  it('add → update (partial, as the router parses it) → remove, with hosts.onChanged each time', async () => {
    const host = await backend.handlers.hosts.add(addInput);
    expect(host).toMatchObject({ name: 'production', protected: true, hasPassphrase: true });
    expect(JSON.stringify(host)).not.toContain('not a real one');

    // A rename must not touch anything else (zod defaults inside a partial once reset `protected`).
    const renamed = await backend.handlers.hosts.update(hostsContract.update.input.parse({ id: host.id, patch: { name: 'prod' } }));
    expect(renamed).toMatchObject({ name: 'prod', role: 'production', protected: true, hasPassphrase: true });

    expect(await backend.handlers.hosts.remove({ id: host.id })).toEqual({ removed: true });
    expect(await backend.handlers.hosts.remove({ id: host.id })).toEqual({ removed: false });
    expect(events).toEqual([
      ['hosts.onChanged', { hostId: host.id }],
      ['hosts.onChanged', { hostId: host.id }],
      ['hosts.onChanged', { hostId: host.id }],
    ]);
    expect(await backend.handlers.hosts.list({})).toEqual([]);
  });

  it('refuses a duplicate name with CONFLICT', async () => {
    await backend.handlers.hosts.add(addInput);
    await expect(backend.handlers.hosts.add({ ...addInput, name: 'PRODUCTION' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('does not add a local host on first run when no engine answers, and says so in discoverLocal', async () => {
    expect(await backend.handlers.hosts.list({})).toEqual([]);
    expect(await backend.handlers.hosts.discoverLocal({})).toEqual({
      socketPath: '/nonexistent/docker.sock',
      reachable: false,
      alreadyAdded: false,
    });
  });

  it('accepts no host key it has not been shown', async () => {
    expect(await backend.handlers.hosts.acceptHostKey({ hostPattern: '[10.1.2.3]:22', fingerprint: 'SHA256:abc' })).toEqual({ accepted: false });
  });

  it('answers NOT_FOUND for unknown host ids everywhere', async () => {
    await expect(backend.handlers.hosts.check({ id: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(backend.handlers.inventory.get({ hostId: 'nope', refresh: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(backend.handlers.services.container({ hostId: 'nope', containerId: 'c', action: 'stop' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
