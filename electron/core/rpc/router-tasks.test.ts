import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, type ServerMessage, type TaskContext, type TaskEvent } from '../../../shared/contract/index.js';
import { createRouter } from './router.js';
import { fakeBackend, rawConnection, settle, silentLogger } from './test-fakes.js';

const stackInput = { hostId: 'h1', project: 'shop', action: 'restart' };

function setup(overrides: Parameters<typeof fakeBackend>[0] = {}) {
  const backend = fakeBackend(overrides);
  const router = createRouter(backend, { mode: 'test', configDir: '/c', appVersion: '1', logger: silentLogger() });
  const open = () => {
    const raw = rawConnection(router);
    raw.send({ t: 'hello', contractVersion: CONTRACT_VERSION });
    raw.sent.length = 0;
    return raw;
  };
  return { backend, router, open, ...open() };
}
const taskEvents = (sent: ServerMessage[], taskId: string): TaskEvent[] =>
  sent.flatMap((m) => (m.t === 'task' && m.taskId === taskId ? m.events : []));
const resultValue = (sent: ServerMessage[], id: number) => {
  const m = sent.find((x) => x.t === 'result' && x.id === id);
  return m?.t === 'result' && m.ok ? (m.value as Record<string, unknown>) : undefined;
};

describe('tasks', () => {
  it('answers {taskId} at once, then progress, logs and the validated result as batched task events', async () => {
    const { send, sent } = setup({
      services: {
        stack: {
          title: () => 'Restart shop',
          run: async (_input: unknown, ctx: TaskContext) => {
            ctx.report({ type: 'progress', fraction: 0.1, message: 'stopping' });
            ctx.report({ type: 'progress', fraction: 0.5, message: 'starting' }); // coalesces with the previous
            ctx.report({ type: 'log', level: 'info', message: 'web restarted', ts: '2026-01-01T00:00:00Z' });
            return { outcomes: [], extra: 'stripped' };
          },
        },
      },
    });
    send({ t: 'call', id: 1, method: 'services.stack', input: stackInput });
    await settle();
    const taskId = resultValue(sent, 1)?.taskId as string;
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[0]).toMatchObject({ t: 'result', id: 1, ok: true });
    await settle();
    expect(taskEvents(sent, taskId)).toEqual([
      { type: 'progress', fraction: 0.5, message: 'starting' },
      { type: 'log', level: 'info', message: 'web restarted', ts: '2026-01-01T00:00:00Z' },
      { type: 'done', result: { outcomes: [] } },
    ]);
    send({ t: 'call', id: 2, method: 'tasks.list', input: {} });
    await settle();
    const listed = sent.find((m) => m.t === 'result' && m.id === 2);
    expect(listed).toMatchObject({ ok: true, value: [{ taskId, method: 'services.stack', state: 'succeeded', title: 'Restart shop' }] });
  });

  it('tasks.cancel aborts the task signal and the task ends CANCELLED', async () => {
    const { send, sent, backend } = setup();
    send({ t: 'call', id: 1, method: 'services.stack', input: stackInput });
    await settle();
    const taskId = resultValue(sent, 1)?.taskId as string;
    const ctx = backend.taskContexts[0] as TaskContext;
    expect(ctx.signal.aborted).toBe(false);
    send({ t: 'call', id: 2, method: 'tasks.cancel', input: { taskId } });
    await settle();
    expect(ctx.signal.aborted).toBe(true);
    expect(resultValue(sent, 2)).toEqual({ cancelled: true });
    await settle();
    expect(taskEvents(sent, taskId)).toEqual([{ type: 'failed', error: { code: 'CANCELLED', message: 'The operation was cancelled' } }]);
    send({ t: 'call', id: 3, method: 'tasks.cancel', input: { taskId } });
    send({ t: 'call', id: 4, method: 'tasks.cancel', input: { taskId: 'nope' } });
    send({ t: 'call', id: 5, method: 'tasks.list', input: {} });
    await settle();
    expect(resultValue(sent, 3)).toEqual({ cancelled: false });
    expect(sent.find((m) => m.t === 'result' && m.id === 4)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(resultValue(sent, 5)).toMatchObject([{ taskId, state: 'cancelled' }]);
  });

  it('a task outlives the connection that started it; other connections see its events', async () => {
    const { send, sent, connection, backend, open } = setup();
    const watcher = open();
    send({ t: 'call', id: 1, method: 'services.stack', input: stackInput });
    await settle();
    const taskId = resultValue(sent, 1)?.taskId as string;
    connection.close();
    const ctx = backend.taskContexts[0] as TaskContext;
    ctx.report({ type: 'log', level: 'warn', message: 'still going', ts: '2026-01-01T00:00:00Z' });
    await settle();
    expect(ctx.signal.aborted).toBe(false);
    expect(taskEvents(watcher.sent, taskId)).toEqual([{ type: 'log', level: 'warn', message: 'still going', ts: '2026-01-01T00:00:00Z' }]);
  });

  it('a failing task reports its error; a malformed result becomes INTERNAL', async () => {
    let attempt = 0;
    const { send, sent } = setup({
      services: {
        stack: {
          title: () => 'x',
          run: async () => {
            attempt++;
            if (attempt === 1) throw new Error('socket hang up');
            return { outcomes: 'all of them' };
          },
        },
      },
    });
    send({ t: 'call', id: 1, method: 'services.stack', input: stackInput });
    send({ t: 'call', id: 2, method: 'services.stack', input: stackInput });
    await settle();
    await settle();
    for (const id of [1, 2]) {
      const taskId = resultValue(sent, id)?.taskId as string;
      expect(taskEvents(sent, taskId)).toEqual([{ type: 'failed', error: expect.objectContaining({ code: 'INTERNAL' }) }]);
    }
  });

  it('rejects invalid task input before starting anything', async () => {
    const { send, sent, backend } = setup();
    send({ t: 'call', id: 1, method: 'services.stack', input: { ...stackInput, action: 'explode' } });
    await settle();
    expect(sent).toEqual([{ t: 'result', id: 1, ok: false, error: expect.objectContaining({ code: 'INVALID_INPUT' }) }]);
    expect(backend.taskContexts).toEqual([]);
  });
});

describe('tasks.get', () => {
  it('answers where a task is: last progress (with step/source), the recent log lines, then its end', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { send, sent } = setup({
      services: {
        stack: {
          title: () => 'Restart shop',
          run: async (_input: unknown, ctx: TaskContext) => {
            for (let i = 0; i < 600; i++) ctx.report({ type: 'log', level: 'info', message: `line ${i}`, ts: '2026-01-01T00:00:00Z' });
            ctx.report({ type: 'progress', fraction: 0.4, message: 'restoring', bytesDone: 4, bytesTotal: 10, step: 'restore', source: 'files' });
            await gate;
            return { outcomes: [] };
          },
        },
      },
    });
    send({ t: 'call', id: 1, method: 'services.stack', input: stackInput });
    await settle();
    const taskId = resultValue(sent, 1)?.taskId as string;
    await settle();
    send({ t: 'call', id: 2, method: 'tasks.get', input: { taskId } });
    await settle();
    const mid = resultValue(sent, 2) as { info: { state: string }; progress: unknown; logs: Array<{ message: string }>; end: unknown };
    expect(mid.info.state).toBe('running');
    expect(mid.progress).toEqual({ type: 'progress', fraction: 0.4, message: 'restoring', bytesDone: 4, bytesTotal: 10, step: 'restore', source: 'files' });
    expect(mid.logs).toHaveLength(500);
    expect(mid.logs[0]!.message).toBe('line 100');
    expect(mid.logs.at(-1)!.message).toBe('line 599');
    expect(mid.end).toBeNull();
    release();
    await settle();
    send({ t: 'call', id: 3, method: 'tasks.get', input: { taskId } });
    await settle();
    expect(resultValue(sent, 3)).toMatchObject({ info: { state: 'succeeded' }, end: { type: 'done', result: { outcomes: [] } } });
    send({ t: 'call', id: 4, method: 'tasks.get', input: { taskId: 'nope' } });
    await settle();
    expect(sent.find((m) => m.t === 'result' && m.id === 4)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
