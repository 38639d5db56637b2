import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, RpcError, type LogLine, type StreamSink, type TaskEvent, type TaskContext } from '../../../shared/contract/index.js';
import { createClient } from '../../../shared/rpc/index.js';
import { createInProcessTransport } from './in-process.js';
import { createRouter } from './router.js';
import { fakeBackend, sampleHost, settle, silentLogger } from './test-fakes.js';

function setup(overrides: Parameters<typeof fakeBackend>[0] = {}) {
  const backend = fakeBackend(overrides);
  const router = createRouter(backend, { mode: 'test', configDir: '/cfg', appVersion: '2.0.0', logger: silentLogger() });
  const transport = createInProcessTransport(router);
  return { backend, router, transport, client: createClient(transport) };
}

describe('typed client over the in-process transport', () => {
  it('handshakes and calls invoke members', async () => {
    const { client } = setup();
    expect(await client.$ready).toEqual({ contractVersion: CONTRACT_VERSION, appVersion: '2.0.0' });
    const hosts = await client.hosts.list();
    expect(hosts).toEqual([sampleHost]);
    const info = await client.system.info();
    expect(info.mode).toBe('test');
  });

  it('throws an RpcError carrying code and message', async () => {
    const { client } = setup();
    const error = await client.hosts.add({ name: 'bad name!', connection: { type: 'local' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('name:') });
  });

  it('starts a task, watches its events and awaits its result; cancel rejects it with CANCELLED', async () => {
    const { client, backend } = setup();
    const { taskId, result } = await client.services.stack({ hostId: 'h1', project: 'shop', action: 'stop' });
    const seen: TaskEvent[] = [];
    client.onTaskEvents(taskId, (events) => seen.push(...events));
    await settle();
    (backend.taskContexts[0] as TaskContext).report({ type: 'progress', fraction: 0.25, message: 'stopping web' });
    await settle();
    expect(await client.tasks.cancel({ taskId })).toEqual({ cancelled: true });
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen.map((e) => e.type)).toEqual(['progress', 'failed']);
    const [listed] = await client.tasks.list();
    expect(listed).toMatchObject({ taskId, state: 'cancelled', title: 'stop shop' });
  });

  it('follows a stream in batches and unsubscribes', async () => {
    const { client, backend } = setup();
    const received: LogLine[][] = [];
    let ended = false;
    const subscription = client.logs.follow(
      { hostId: 'h1', containerId: 'c1' },
      { onItems: (items) => received.push(items), onEnd: () => (ended = true) },
    );
    await settle();
    const sink = backend.sinks[0] as StreamSink<LogLine>;
    for (let i = 0; i < 500; i++) sink.push({ ts: 't', stream: 'stderr', line: `l${i}` });
    await settle();
    expect(received).toHaveLength(1);
    expect(received[0]).toHaveLength(500);
    subscription.unsubscribe();
    await settle();
    expect(sink.signal.aborted).toBe(true);
    expect(ended).toBe(false);
  });

  it('delivers broadcast events to typed listeners', async () => {
    const { client, backend } = setup();
    const changes: Array<{ hostId?: string }> = [];
    const stop = client.hosts.onChanged((payload) => changes.push(payload));
    await client.$ready;
    backend.emit('hosts.onChanged', { hostId: 'h1' });
    await settle();
    stop();
    backend.emit('hosts.onChanged', { hostId: 'h2' });
    await settle();
    expect(changes).toEqual([{ hostId: 'h1' }]);
  });

  it('refuses at hello with CONTRACT_MISMATCH for another contract version', async () => {
    const backend = fakeBackend();
    const router = createRouter(backend, { mode: 'test', configDir: '/c', appVersion: '1', logger: silentLogger() });
    const client = createClient(createInProcessTransport(router), { contractVersion: CONTRACT_VERSION + 1 });
    await expect(client.$ready).rejects.toMatchObject({ code: 'CONTRACT_MISMATCH' });
    await expect(client.hosts.list()).rejects.toMatchObject({ code: 'CONTRACT_MISMATCH' });
  });

  it('rejects pending calls and ends streams with DISCONNECTED when the transport closes', async () => {
    const never = new Promise<never>(() => {});
    const { client, transport } = setup({ hosts: { check: () => never } });
    await client.$ready;
    const pending = client.hosts.check({ id: 'h1' });
    let endedWith: string | undefined;
    client.logs.follow({ hostId: 'h1', containerId: 'c1' }, { onItems: () => {}, onEnd: (e) => (endedWith = e?.code) });
    const closed: string[] = [];
    client.$onClose((reason) => closed.push(reason));
    await settle();
    transport.close();
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(endedWith).toBe('DISCONNECTED');
    expect(closed).toHaveLength(1);
    await expect(client.hosts.list()).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('is not thenable (awaiting the client itself is harmless)', async () => {
    const { client } = setup();
    const same = await Promise.resolve(client);
    expect(same).toBe(client);
  });
});
