/** The router's seams: what a transport gives it per connection, and how it logs. */
import { createLogger } from '../log.js';
import type { ServerMessage, SystemInfo } from '../../../shared/contract/index.js';

/** The server side of one connection, as a transport (IPC, WebSocket, in-process) provides it. */
export interface Peer {
  /** Deliver one message. May throw if the connection just died; the router then closes it. */
  send(message: ServerMessage): void;
  /**
   * True while the transport's own buffer is full (e.g. ws.bufferedAmount is large). Batched
   * items then wait in the router's bounded queues instead of piling up in the socket.
   */
  isCongested?(): boolean;
  /** Close the connection from the server side (after a refused hello). */
  close?(reason: string): void;
}

export interface RpcLogger {
  warn(message: string): void;
  error(message: string): void;
}

/** The router's log: through core's logger, so it reaches the log file too (desktop app). */
const rpcLog = createLogger('rpc', 'warn');
export const consoleLogger: RpcLogger = {
  warn: (message) => rpcLog.warn(message),
  error: (message) => rpcLog.error(message),
};

export interface BatchOptions {
  /** At most one flush per interval per connection (66 ms ≈ 15 flushes a second). */
  intervalMs: number;
  /** Items (or task events) per message. */
  maxBatch: number;
  /** Items waiting per subscription (and events per task); beyond it the oldest are dropped. */
  maxQueue: number;
}

export const DEFAULT_BATCH: BatchOptions = { intervalMs: 66, maxBatch: 1000, maxQueue: 10_000 };

export interface RouterOptions {
  mode: SystemInfo['mode'];
  configDir: string;
  appVersion: string;
  logger?: RpcLogger;
  batch?: Partial<BatchOptions>;
  /**
   * Parse every stream item, event payload and task report against the contract (invoke results
   * and task results are always parsed). Default: on unless NODE_ENV is "production".
   */
  checkOutputs?: boolean;
  /** Finished tasks remembered for tasks.list. */
  keepFinishedTasks?: number;
}
