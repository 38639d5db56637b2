export { createRouter, type Router } from './router.js';
export type { Connection } from './connection.js';
export { createInProcessTransport, type InProcessTransport } from './in-process.js';
export { TaskRegistry } from './task-registry.js';
export { consoleLogger, DEFAULT_BATCH, type BatchOptions, type Peer, type RouterOptions, type RpcLogger } from './types.js';
