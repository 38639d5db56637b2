/**
 * The router: one per backend, shared by every transport (Electron IPC, WebSocket, in-process).
 * It serves the contract on top of a Backend, implements the `tasks` and `system` domains itself,
 * and broadcasts the backend's events to every connection that has said hello.
 */
import { platform } from 'node:os';
import { CONTRACT_VERSION, RpcError, lookupMember, type SystemInfo, type TaskInfo } from '../../../shared/contract/index.js';
import type { Backend } from '../backend-types.js';
import { RouterConnection, type Connection } from './connection.js';
import type { RouterContext } from './router-context.js';
import { TaskRegistry, type AnyTaskHandler, type TaskSnapshot } from './task-registry.js';
import { consoleLogger, DEFAULT_BATCH, type Peer, type RouterOptions } from './types.js';

export interface Router {
  /** A new client connection; feed it messages, close it when the transport goes. */
  connect(peer: Peer): Connection;
  readonly tasks: TaskRegistry;
  /** Close every connection and abort running tasks. The backend itself is the caller's to dispose. */
  dispose(): void;
}

type AnyFunction = (...args: never[]) => Promise<unknown>;

export function createRouter(backend: Backend, options: RouterOptions): Router {
  const logger = options.logger ?? consoleLogger;
  const checkOutputs = options.checkOutputs ?? process.env.NODE_ENV !== 'production';
  const tasks = new TaskRegistry(logger, checkOutputs, options.keepFinishedTasks);
  const connections = new Set<RouterConnection>();
  const local = localHandlers(tasks, options);

  const handlerFor = (method: string): unknown => {
    const [domain = '', name = ''] = method.split('.');
    const source = (domain in local ? local : backend.handlers) as unknown as Record<string, Record<string, unknown> | undefined>;
    const domainHandlers = source[domain];
    if (!domainHandlers || !Object.prototype.hasOwnProperty.call(domainHandlers, name)) return undefined;
    const handler = domainHandlers[name];
    // Core may implement a domain as a class: keep `this`.
    return typeof handler === 'function' ? handler.bind(domainHandlers) : handler;
  };

  const ctx: RouterContext = {
    appVersion: options.appVersion,
    logger,
    batch: { ...DEFAULT_BATCH, ...options.batch },
    checkOutputs,
    tasks,
    invokeHandler: (method) => asFunction(handlerFor(method)) as ((input: unknown) => Promise<unknown>) | undefined,
    streamHandler: (method) => asFunction(handlerFor(method)) as ((input: unknown, sink: never) => Promise<void>) | undefined,
    taskHandler: (method) => {
      const handler = handlerFor(method) as Partial<AnyTaskHandler> | undefined;
      return handler && typeof handler.run === 'function' && typeof handler.title === 'function' ? (handler as AnyTaskHandler) : undefined;
    },
  };

  const stopTaskEvents = tasks.onEvent((taskId, event) => {
    for (const connection of connections) if (connection.isReady) connection.outbox.pushTaskEvent(taskId, event);
  });
  const stopBackendEvents = backend.onEvent((name, payload) => {
    const member = lookupMember(name);
    if (!member || member.kind !== 'event') return logger.warn(`backend emitted an event the contract does not know: ${name}`);
    const parsed = checkOutputs ? member.payload.safeParse(payload) : undefined;
    if (parsed && !parsed.success) return logger.error(`backend emitted ${name} with a malformed payload: ${parsed.error.message}`);
    for (const connection of connections) if (connection.isReady) connection.outbox.pushEvent(name, parsed ? parsed.data : payload);
  });

  return {
    tasks,
    connect(peer) {
      const connection = new RouterConnection(ctx, peer, (closed) => connections.delete(closed));
      connections.add(connection);
      return connection;
    },
    dispose() {
      stopTaskEvents();
      stopBackendEvents();
      for (const connection of [...connections]) connection.close();
      tasks.abortAll();
    },
  };
}

/** The domains the router answers itself. Typed against the contract's handler shapes. */
function localHandlers(tasks: TaskRegistry, options: RouterOptions) {
  return {
    system: {
      info: async (): Promise<SystemInfo> => ({
        appVersion: options.appVersion,
        contractVersion: CONTRACT_VERSION,
        mode: options.mode,
        configDir: options.configDir,
        platform: platform(),
      }),
    },
    tasks: {
      list: async (): Promise<TaskInfo[]> => tasks.list(),
      get: async ({ taskId }: { taskId: string }): Promise<TaskSnapshot> => {
        const found = tasks.get(taskId);
        if (!found) throw new RpcError('NOT_FOUND', `No task ${taskId} (finished tasks are remembered a while, then forgotten).`);
        return found;
      },
      cancel: async ({ taskId }: { taskId: string }): Promise<{ cancelled: boolean }> => {
        const cancelled = tasks.cancel(taskId);
        if (cancelled === undefined) throw new RpcError('NOT_FOUND', `No task ${taskId}`);
        return { cancelled };
      },
    },
  } satisfies Record<string, Record<string, AnyFunction>>;
}

function asFunction(value: unknown): AnyFunction | undefined {
  return typeof value === 'function' ? (value as AnyFunction) : undefined;
}
