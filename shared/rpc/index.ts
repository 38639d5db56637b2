export { createClient } from './client.js';
export type { RpcClient, ServerHello, ClientOptions } from './client.js';
export type { Transport } from './transport.js';
export { BRIDGE_GLOBAL, IPC_CHANNEL, type HindsightBridge } from './bridge.js';
