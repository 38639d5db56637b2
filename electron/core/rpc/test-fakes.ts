/**
 * Fakes for the router's and transports' unit tests: a Backend whose handlers the test controls,
 * and a raw peer that records what the router sends. (Not a test file itself.)
 */
import type { Host, ServerMessage, StreamSink, TaskContext, LogLine } from '../../../shared/contract/index.js';
import type { Backend, BackendHandlers } from '../backend-types.js';
import type { Router } from './router.js';
import type { Peer, RpcLogger } from './types.js';

export const sampleHost: Host = {
  id: 'h1',
  name: 'prod',
  role: 'production',
  protected: true,
  connection: { type: 'local', socketPath: '/var/run/docker.sock' },
  hasPassphrase: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

export interface FakeBackend extends Backend {
  emit(name: string, payload: unknown): void;
  /** The sinks of running logs.follow subscriptions, newest last. */
  sinks: StreamSink<LogLine>[];
  /** Contexts of running services.stack tasks, newest last. */
  taskContexts: TaskContext[];
  disposed: boolean;
}

/** Handlers beyond these few answer UNKNOWN_METHOD ("not implemented"). Override per test. */
export function fakeBackend(overrides: Record<string, Record<string, unknown>> = {}): FakeBackend {
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const sinks: StreamSink<LogLine>[] = [];
  const taskContexts: TaskContext[] = [];
  const handlers = {
    hosts: {
      list: async () => [sampleHost],
      get: async ({ id }: { id: string }) => ({ ...sampleHost, id }),
      ...overrides.hosts,
    },
    logs: {
      /** Runs until unsubscribed (like following a container's output). */
      follow: (_input: unknown, sink: StreamSink<LogLine>) =>
        new Promise<void>((resolve) => {
          sinks.push(sink);
          sink.signal.addEventListener('abort', () => resolve());
        }),
      ...overrides.logs,
    },
    services: {
      stack: {
        title: (input: { project: string; action: string }) => `${input.action} ${input.project}`,
        run: (_input: unknown, ctx: TaskContext) =>
          new Promise((_resolve, reject) => {
            taskContexts.push(ctx);
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          }),
      },
      ...overrides.services,
    },
    ...Object.fromEntries(Object.entries(overrides).filter(([d]) => !['hosts', 'logs', 'services'].includes(d))),
  };
  const backend: FakeBackend = {
    handlers: handlers as unknown as BackendHandlers,
    runPlan: () => Promise.reject(new Error('not in the fake backend')),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      backend.disposed = true;
    },
    emit: (name, payload) => listeners.forEach((l) => l(name, payload)),
    sinks,
    taskContexts,
    disposed: false,
  };
  return backend;
}

export function silentLogger(): RpcLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

/** A connection driven message by message, recording every reply. */
export function rawConnection(router: Router, peerExtras: Partial<Peer> = {}) {
  const sent: ServerMessage[] = [];
  const connection = router.connect({ send: (m) => sent.push(structuredClone(m)), ...peerExtras });
  return { connection, sent, send: (m: unknown) => connection.receive(m) };
}

/** Let pending promise callbacks, setImmediate and zero-delay timers run. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
