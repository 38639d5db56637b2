/**
 * hosts.check / hosts.probe / hosts.acceptHostKey against the real lab: every step of the
 * connection check fails where it should, and succeeds with the engine's true version.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HostInput } from '../../shared/contract/hosts.js';
import { createBackend, type Backend } from './backend.js';
import { dockerCli, readLab, sshConnectionOf, tempConfigDir, type LabFacts } from './testing/lab.js';

let lab: LabFacts;
let cfg: Awaited<ReturnType<typeof tempConfigDir>>;
let backend: Backend;
const events: Array<[string, unknown]> = [];

const input = (name: string, connection: object, extra: object = {}) => HostInput.parse({ name, connection, ...extra });

beforeAll(async () => {
  lab = readLab();
  cfg = await tempConfigDir({ pinned: true });
  backend = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, seedLocalHost: false, agentSocket: undefined });
  backend.onEvent((n, p) => events.push([n, p]));
});
afterAll(async () => {
  await backend.dispose();
  await cfg.cleanup();
});

describe('hosts.check against the lab', () => {
  it('adds an SSH host and checks it: the engine version is what the docker CLI says', async () => {
    const prod = lab.machines.production;
    const host = await backend.handlers.hosts.add(input('production', sshConnectionOf(prod), { role: 'production', protected: true }));
    expect(events).toContainEqual(['hosts.onChanged', { hostId: host.id }]);
    const result = await backend.handlers.hosts.check({ id: host.id });
    const expected = await dockerCli(prod, 'version', '--format', '{{.Server.Version}}|{{.Server.APIVersion}}');
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(`${result.dockerVersion}|${result.apiVersion}`).toBe(expected);
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.latencyMs).toBeLessThan(2_000);
    expect(result.os).not.toBe('');
    // Checking again reuses the open tunnel.
    expect((await backend.handlers.hosts.check({ id: host.id })).ok).toBe(true);
  });

  it('checks a local host on the engine socket directly', async () => {
    const r = await backend.handlers.hosts.probe(input('direct', { type: 'local', socketPath: lab.machines.science.localSocket }));
    expect(r.ok).toBe(true);
    const missing = await backend.handlers.hosts.probe(input('nosock', { type: 'local', socketPath: '/run/nope/docker.sock' }));
    expect(missing).toMatchObject({ ok: false, step: 'socket', code: 'SOCKET_FAILED' });
  });

  it('reaches a host through a jump host (production → uat)', async () => {
    const prod = lab.machines.production;
    const uat = lab.machines.uat;
    const jump = { address: prod.address, port: prod.port, user: prod.user, auth: { type: 'key', keyPath: prod.keyPath } };
    const r = await backend.handlers.hosts.probe(input('uat-via-prod', sshConnectionOf(uat, { jump })));
    const expected = await dockerCli(uat, 'version', '--format', '{{.Server.Version}}');
    expect(r).toMatchObject({ ok: true, dockerVersion: expected });
  });

  it('a wrong client key fails at the auth step', async () => {
    const m = lab.machines.science;
    const r = await backend.handlers.hosts.probe(input('wrongkey', sshConnectionOf(m, { auth: { type: 'key', keyPath: m.wrongKeyPath } })));
    expect(r).toMatchObject({ ok: false, step: 'auth', code: 'AUTH_FAILED' });
  });

  it('a missing key file fails at the auth step with KEY_UNREADABLE', async () => {
    const m = lab.machines.science;
    const r = await backend.handlers.hosts.probe(input('nokey', sshConnectionOf(m, { auth: { type: 'key', keyPath: '/nonexistent/id_ed25519' } })));
    expect(r).toMatchObject({ ok: false, step: 'auth', code: 'KEY_UNREADABLE' });
    if (!r.ok) expect(r.message).toContain('/nonexistent/id_ed25519');
  });

  it('agent auth without an agent fails at the auth step', async () => {
    const r = await backend.handlers.hosts.probe(input('agentless', sshConnectionOf(lab.machines.science, { auth: { type: 'agent' } })));
    expect(r).toMatchObject({ ok: false, step: 'auth', code: 'AUTH_FAILED' });
  });

  it('an unreachable port fails at the tcp step', async () => {
    const r = await backend.handlers.hosts.probe(input('closed', sshConnectionOf(lab.machines.science, { port: 2999 })));
    expect(r).toMatchObject({ ok: false, step: 'tcp', code: 'TCP_FAILED' });
  });

  it('a nonexistent host name fails at the lookup step', async () => {
    const r = await backend.handlers.hosts.probe(input('nowhere', sshConnectionOf(lab.machines.science, { address: 'no-such-host.invalid' })));
    expect(r).toMatchObject({ ok: false, step: 'lookup', code: 'LOOKUP_FAILED' });
  });

  it('a wrong remote socket path fails at the socket step', async () => {
    const r = await backend.handlers.hosts.probe(input('badsock', sshConnectionOf(lab.machines.science, { remoteSocket: '/run/nothing-here.sock' })));
    expect(r).toMatchObject({ ok: false, step: 'socket', code: 'SOCKET_FAILED' });
  });
});

describe('host keys', () => {
  it('an unknown key is refused with its fingerprint; accepting it pins it and the check passes', async () => {
    const fresh = await tempConfigDir(); // nothing pinned
    const b = await createBackend({ configDir: fresh.dir, userKnownHostsPath: null, seedLocalHost: false });
    try {
      const uat = lab.machines.uat;
      const host = await b.handlers.hosts.add(input('uat', sshConnectionOf(uat)));
      const first = await b.handlers.hosts.check({ id: host.id });
      expect(first).toMatchObject({
        ok: false,
        step: 'hostkey',
        code: 'HOSTKEY_UNKNOWN',
        hostKey: { status: 'unknown', hostPattern: `[${uat.address}]:${uat.port}`, keyType: 'ssh-ed25519', fingerprint: uat.hostKeyFingerprint },
      });
      if (first.ok || !first.hostKey) throw new Error('unreachable');
      // A fingerprint the backend did not see is not accepted.
      expect(await b.handlers.hosts.acceptHostKey({ hostPattern: first.hostKey.hostPattern, fingerprint: lab.machines.science.hostKeyFingerprint })).toEqual({
        accepted: false,
      });
      expect(await b.handlers.hosts.acceptHostKey({ hostPattern: first.hostKey.hostPattern, fingerprint: first.hostKey.fingerprint })).toEqual({
        accepted: true,
      });
      const pinned = await fs.readFile(path.join(fresh.dir, 'known_hosts'), 'utf8');
      expect(pinned.trim()).toBe(uat.hostKeyLine);
      expect(await b.handlers.hosts.check({ id: host.id })).toMatchObject({ ok: true });
    } finally {
      await b.dispose();
      await fresh.cleanup();
    }
  });

  it('a changed key is refused with HOSTKEY_CHANGED and never connects', async () => {
    const fresh = await tempConfigDir();
    // Pin science's key under uat's name: uat's real key then looks "changed".
    const uat = lab.machines.uat;
    const scienceKey = lab.machines.science.hostKeyLine.split(' ').slice(1).join(' ');
    await fs.writeFile(path.join(fresh.dir, 'known_hosts'), `[${uat.address}]:${uat.port} ${scienceKey}\n`);
    const b = await createBackend({ configDir: fresh.dir, userKnownHostsPath: null, seedLocalHost: false });
    try {
      const r = await b.handlers.hosts.probe(input('uat', sshConnectionOf(uat)));
      expect(r).toMatchObject({ ok: false, step: 'hostkey', code: 'HOSTKEY_CHANGED', hostKey: { status: 'changed', fingerprint: uat.hostKeyFingerprint } });
      if (!r.ok) expect(r.message).toMatch(/CHANGED/);
      // A changed key cannot be "accepted" through the API.
      expect(await b.handlers.hosts.acceptHostKey({ hostPattern: `[${uat.address}]:${uat.port}`, fingerprint: uat.hostKeyFingerprint })).toEqual({ accepted: false });
    } finally {
      await b.dispose();
      await fresh.cleanup();
    }
  });
});

afterEach(() => {
  events.length = 0;
});
