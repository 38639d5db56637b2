import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONTRACT_VERSION, RpcError, type LogLine, type ServerMessage, type StreamSink } from '../../../shared/contract/index.js';
import { createRouter } from './router.js';
import { fakeBackend, rawConnection, settle, silentLogger } from './test-fakes.js';
import type { BatchOptions } from './types.js';

const follow = { hostId: 'h1', containerId: 'c1' };
const line = (n: number): LogLine => ({ ts: '2026-01-01T00:00:00Z', stream: 'stdout', line: `line ${n}` });

function setup(overrides: Parameters<typeof fakeBackend>[0] = {}, batch: Partial<BatchOptions> = {}) {
  const backend = fakeBackend(overrides);
  const router = createRouter(backend, { mode: 'test', configDir: '/c', appVersion: '1', logger: silentLogger(), batch });
  const raw = rawConnection(router);
  raw.send({ t: 'hello', contractVersion: CONTRACT_VERSION });
  raw.sent.length = 0;
  return { ...raw, backend, router };
}
const itemsMessages = (sent: ServerMessage[]) => sent.filter((m): m is Extract<ServerMessage, { t: 'items' }> => m.t === 'items');

afterEach(() => vi.useRealTimers());

describe('streams', () => {
  it('unsubscribe aborts the handler signal and stops the flow', async () => {
    const { send, sent, backend } = setup();
    send({ t: 'subscribe', id: 1, method: 'logs.follow', input: follow });
    await settle();
    const sink = backend.sinks[0] as StreamSink<LogLine>;
    sink.push(line(1));
    await settle();
    expect(itemsMessages(sent)).toEqual([{ t: 'items', id: 1, items: [line(1)] }]);
    send({ t: 'unsubscribe', id: 1 });
    expect(sink.signal.aborted).toBe(true);
    sink.push(line(2));
    await settle();
    expect(sent.filter((m) => m.t !== 'items' || m.items.length !== 1)).toEqual([]); // nothing after, not even end
  });

  it('ends with the error when the handler throws, after the queued items', async () => {
    const { send, sent } = setup({
      logs: {
        follow: async (_input: unknown, sink: StreamSink<LogLine>) => {
          sink.push(line(1));
          throw new RpcError('DOCKER_ERROR', 'No such container: c1');
        },
      },
    });
    send({ t: 'subscribe', id: 5, method: 'logs.follow', input: follow });
    await settle();
    expect(sent).toEqual([
      { t: 'items', id: 5, items: [line(1)] },
      { t: 'end', id: 5, error: { code: 'DOCKER_ERROR', message: 'No such container: c1' } },
    ]);
  });

  it('ends a stream whose handler pushes an item that does not fit the contract', async () => {
    const { send, sent, backend } = setup();
    send({ t: 'subscribe', id: 1, method: 'logs.follow', input: follow });
    await settle();
    const sink = backend.sinks[0] as StreamSink<LogLine>;
    sink.push({ nonsense: true } as unknown as LogLine);
    expect(sink.signal.aborted).toBe(true);
    expect(sent).toEqual([{ t: 'end', id: 1, error: expect.objectContaining({ code: 'INTERNAL' }) }]);
  });

  it('closing the connection aborts its subscriptions', async () => {
    const { send, connection, backend } = setup();
    send({ t: 'subscribe', id: 1, method: 'logs.follow', input: follow });
    send({ t: 'subscribe', id: 2, method: 'logs.follow', input: follow });
    await settle();
    connection.close();
    expect(backend.sinks.map((s) => s.signal.aborted)).toEqual([true, true]);
  });

  it('refuses a subscription id already in use', async () => {
    const { send, sent } = setup();
    send({ t: 'subscribe', id: 1, method: 'logs.follow', input: follow });
    send({ t: 'subscribe', id: 1, method: 'logs.follow', input: follow });
    await settle();
    expect(sent).toEqual([{ t: 'end', id: 1, error: expect.objectContaining({ code: 'INVALID_INPUT' }) }]);
  });
});

describe('batching', () => {
  it('coalesces a burst of 10,000 items into a handful of flushes at ~15 a second', async () => {
    vi.useFakeTimers();
    const { send, sent, backend } = setup({}, { maxBatch: 5000, maxQueue: 20_000 });
    send({ t: 'subscribe', id: 1, method: 'logs.follow', input: follow });
    await vi.advanceTimersByTimeAsync(1);
    const sink = backend.sinks[0] as StreamSink<LogLine>;
    for (let i = 0; i < 10_000; i++) sink.push(line(i));
    await vi.advanceTimersByTimeAsync(1000);
    const batches = itemsMessages(sent);
    expect(batches.map((b) => b.items.length)).toEqual([5000, 5000]);
    expect(batches.flatMap((b) => b.items)).toEqual(Array.from({ length: 10_000 }, (_, i) => line(i)));
  });

  it('flushes a steady flood at most once per interval', async () => {
    vi.useFakeTimers();
    const { send, sent, backend } = setup();
    send({ t: 'subscribe', id: 1, method: 'logs.follow', input: follow });
    await vi.advanceTimersByTimeAsync(1);
    const sink = backend.sinks[0] as StreamSink<LogLine>;
    for (let ms = 0; ms < 1000; ms++) {
      for (let i = 0; i < 10; i++) sink.push(line(ms * 10 + i)); // 10,000 lines a second
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(200);
    const batches = itemsMessages(sent);
    expect(batches.flatMap((b) => b.items)).toHaveLength(10_000);
    expect(batches.length).toBeGreaterThanOrEqual(14);
    expect(batches.length).toBeLessThanOrEqual(18);
  });

  it('bounds the queue of a slow subscriber: drops the oldest and says how many', async () => {
    vi.useFakeTimers();
    let congested = true;
    const backend = fakeBackend();
    const router = createRouter(backend, { mode: 'test', configDir: '/c', appVersion: '1', logger: silentLogger(), batch: { maxQueue: 1000, maxBatch: 1000 } });
    const sent: ServerMessage[] = [];
    const connection = router.connect({ send: (m) => sent.push(m), isCongested: () => congested });
    connection.receive({ t: 'hello', contractVersion: CONTRACT_VERSION });
    connection.receive({ t: 'subscribe', id: 1, method: 'logs.follow', input: follow });
    await vi.advanceTimersByTimeAsync(1);
    const sink = backend.sinks[0] as StreamSink<LogLine>;
    for (let i = 0; i < 25_000; i++) sink.push(line(i));
    await vi.advanceTimersByTimeAsync(500);
    expect(itemsMessages(sent)).toEqual([]); // the socket is full: nothing more is written to it
    congested = false;
    await vi.advanceTimersByTimeAsync(100);
    const [batch, ...rest] = itemsMessages(sent);
    expect(rest).toEqual([]);
    expect(batch?.dropped).toBe(24_000);
    expect(batch?.items[0]).toEqual(line(24_000));
    expect(batch?.items).toHaveLength(1000);
  });
});
