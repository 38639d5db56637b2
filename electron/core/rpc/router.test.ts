import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, RpcError } from '../../../shared/contract/index.js';
import { createRouter } from './router.js';
import { fakeBackend, rawConnection, sampleHost, settle, silentLogger } from './test-fakes.js';

function setup(overrides: Parameters<typeof fakeBackend>[0] = {}) {
  const logger = silentLogger();
  const backend = fakeBackend(overrides);
  const router = createRouter(backend, { mode: 'test', configDir: '/tmp/cfg', appVersion: '9.9.9', logger });
  const raw = rawConnection(router);
  return { ...raw, router, backend, logger, hello: () => raw.send({ t: 'hello', contractVersion: CONTRACT_VERSION }) };
}

describe('handshake', () => {
  it('answers hello-ok with the versions', () => {
    const { sent, hello } = setup();
    hello();
    expect(sent).toEqual([{ t: 'hello-ok', contractVersion: CONTRACT_VERSION, appVersion: '9.9.9' }]);
  });

  it('refuses another contract version and closes, serving nothing after', async () => {
    const logger = silentLogger();
    const router = createRouter(fakeBackend(), { mode: 'test', configDir: '/c', appVersion: '1', logger });
    const closed: string[] = [];
    const { sent, send } = rawConnection(router, { close: (reason) => closed.push(reason) });
    send({ t: 'hello', contractVersion: CONTRACT_VERSION + 1 });
    send({ t: 'call', id: 1, method: 'hosts.list', input: {} });
    await settle();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ t: 'hello-refused', error: { code: 'CONTRACT_MISMATCH' } });
    expect(closed).toEqual(['contract mismatch']);
  });

  it('serves nothing before hello', async () => {
    const { sent, send } = setup();
    send({ t: 'call', id: 1, method: 'hosts.list', input: {} });
    send({ t: 'subscribe', id: 2, method: 'logs.follow', input: { hostId: 'h', containerId: 'c' } });
    await settle();
    expect(sent).toEqual([
      { t: 'result', id: 1, ok: false, error: expect.objectContaining({ code: 'CONTRACT_MISMATCH' }) },
      { t: 'end', id: 2, error: expect.objectContaining({ code: 'CONTRACT_MISMATCH' }) },
    ]);
  });
});

describe('calls', () => {
  it('answers an invoke with the parsed output', async () => {
    const { sent, send, hello } = setup();
    hello();
    send({ t: 'call', id: 7, method: 'hosts.list', input: undefined }); // Empty defaults to {}
    await settle();
    expect(sent[1]).toEqual({ t: 'result', id: 7, ok: true, value: [sampleHost] });
  });

  it('rejects invalid input with INVALID_INPUT listing every issue', async () => {
    const { sent, send, hello } = setup();
    hello();
    send({ t: 'call', id: 1, method: 'hosts.add', input: { name: '../bad name', role: 'king', connection: { type: 'ssh' } } });
    await settle();
    const reply = sent[1];
    expect(reply).toMatchObject({ t: 'result', id: 1, ok: false, error: { code: 'INVALID_INPUT' } });
    const message = reply?.t === 'result' && !reply.ok ? reply.error.message : '';
    expect(message).toMatch(/^Invalid input for hosts\.add: /);
    expect(message).toContain('name:');
    expect(message).toContain('role:');
    expect(message).toContain('connection.');
  });

  it('never crashes on garbage and answers what carries an id', async () => {
    const { sent, send, hello, logger } = setup();
    hello();
    for (const garbage of [null, undefined, 42, 'call', [], { t: 'nope' }, { t: 'call' }, { t: 'call', id: -1, method: 'x' }, Symbol.for('x')]) {
      send(garbage);
    }
    send({ t: 'call', id: 3, method: 123, input: {} });
    send({ t: 'subscribe', id: 4, method: '' });
    send({ t: 'call', id: 5, method: 'system.info', input: 'not an object' });
    await settle();
    expect(sent.slice(1)).toEqual([
      { t: 'result', id: 3, ok: false, error: expect.objectContaining({ code: 'INVALID_INPUT' }) },
      { t: 'end', id: 4, error: expect.objectContaining({ code: 'INVALID_INPUT' }) },
      { t: 'result', id: 5, ok: false, error: expect.objectContaining({ code: 'INVALID_INPUT' }) },
    ]);
    expect(logger.lines.filter((l) => l.startsWith('warn dropped a malformed message'))).toHaveLength(9);
  });

  it('answers UNKNOWN_METHOD for unknown, non-callable and unimplemented members', async () => {
    const { sent, send, hello } = setup();
    hello();
    send({ t: 'call', id: 1, method: 'hosts.nuke', input: {} });
    send({ t: 'call', id: 2, method: 'hosts.onChanged', input: {} });
    send({ t: 'call', id: 3, method: 'logs.follow', input: {} });
    send({ t: 'call', id: 4, method: 'hosts.list.extra', input: {} });
    send({ t: 'call', id: 5, method: 'hosts.discoverLocal', input: {} }); // not in the fake
    send({ t: 'call', id: 6, method: 'constructor.name', input: {} });
    send({ t: 'subscribe', id: 7, method: 'hosts.list', input: {} });
    await settle();
    const codes = sent.slice(1).map((m) => (m.t === 'result' && !m.ok ? m.error.code : m.t === 'end' ? m.error?.code : m.t));
    expect(codes).toEqual(Array(7).fill('UNKNOWN_METHOD'));
  });

  it('passes an RpcError through and hides anything else behind INTERNAL', async () => {
    const { sent, send, hello, logger } = setup({
      hosts: {
        get: async () => {
          throw new RpcError('NOT_FOUND', 'No host h9', 'looked in hosts.json');
        },
        remove: async () => {
          throw new Error('ENOENT /home/alice/.ssh/id_ed25519 passphrase=hunter2');
        },
      },
    });
    hello();
    send({ t: 'call', id: 1, method: 'hosts.get', input: { id: 'h9' } });
    send({ t: 'call', id: 2, method: 'hosts.remove', input: { id: 'h1' } });
    await settle();
    expect(sent[1]).toEqual({ t: 'result', id: 1, ok: false, error: { code: 'NOT_FOUND', message: 'No host h9', detail: 'looked in hosts.json' } });
    expect(sent[2]).toMatchObject({ t: 'result', id: 2, ok: false, error: { code: 'INTERNAL', message: 'Something went wrong in the backend' } });
    expect(JSON.stringify(sent[2])).not.toContain('hunter2');
    const reference = /Reference ([0-9a-f]{8})/.exec(JSON.stringify(sent[2]))?.[1];
    expect(logger.lines.some((l) => l.includes(`[ref ${reference}]`) && l.includes('hunter2'))).toBe(true);
  });

  it('turns an output that does not fit the contract into INTERNAL and strips unknown fields', async () => {
    const { sent, send, hello } = setup({
      hosts: {
        check: async () => ({ ok: true, dockerVersion: 27 }),
        get: async () => ({ ...sampleHost, keyPassphrase: 'secret' }),
      },
    });
    hello();
    send({ t: 'call', id: 1, method: 'hosts.check', input: { id: 'h1' } });
    send({ t: 'call', id: 2, method: 'hosts.get', input: { id: 'h1' } });
    await settle();
    expect(sent[1]).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'The backend produced a malformed answer' } });
    expect(sent[2]).toEqual({ t: 'result', id: 2, ok: true, value: sampleHost });
  });

  it('serves system.info itself', async () => {
    const { sent, send, hello } = setup();
    hello();
    send({ t: 'call', id: 1, method: 'system.info', input: {} });
    await settle();
    expect(sent[1]).toMatchObject({ ok: true, value: { appVersion: '9.9.9', contractVersion: CONTRACT_VERSION, mode: 'test', configDir: '/tmp/cfg' } });
  });
});

describe('events', () => {
  it('broadcasts backend events to connections that said hello, coalescing duplicates', async () => {
    const { sent, hello, backend, router } = setup();
    const other = rawConnection(router); // never says hello
    hello();
    backend.emit('hosts.onChanged', { hostId: 'h1' });
    backend.emit('hosts.onChanged', { hostId: 'h1' });
    backend.emit('inventory.onChanged', { hostId: 'h1' });
    backend.emit('hosts.bogus', {});
    backend.emit('inventory.onChanged', { nope: true });
    await settle();
    expect(sent.slice(1)).toEqual([
      { t: 'event', name: 'hosts.onChanged', payload: { hostId: 'h1' } },
      { t: 'event', name: 'inventory.onChanged', payload: { hostId: 'h1' } },
    ]);
    expect(other.sent).toEqual([]);
  });
});
