/**
 * The renderer's one way to the backend: `await getClient()` gives the typed client once the
 * handshake succeeded. Inside Electron it rides the preload bridge; in a browser (web mode) a
 * WebSocket to this page's host. If the connection drops, the next getClient() connects afresh.
 * The first connection is usually opened before the bundle runs, by the early start (early-start.ts).
 */
import { RpcError } from '../../shared/contract/rpc-error.js';
import { createClient, type RpcClient } from '../../shared/rpc/client.js';
import type { Transport } from '../../shared/rpc/transport.js';
import { createBridgeTransport } from './bridge-transport.js';
import { takeEarlyConnection } from './early-start.js';
import { createWebSocketTransport, takeWebToken, webSocketUrl } from './websocket-transport.js';

export type { RpcClient } from '../../shared/rpc/client.js';

let current: Promise<RpcClient> | undefined;
const closeListeners = new Set<(reason: string) => void>();

function openTransport(): Transport {
  if (window.hindsightBridge) return createBridgeTransport(window.hindsightBridge);
  const token = takeWebToken();
  if (!token) {
    throw new RpcError('UNAUTHORIZED', 'No access token: open the URL printed by the Hindsight web server (it ends with ?token=…)');
  }
  return createWebSocketTransport(webSocketUrl(token));
}

/** A new connection: the client once its handshake succeeded; `onClose` is told when it closes. */
export async function openConnection(onClose: (reason: string) => void): Promise<RpcClient> {
  const client = createClient(openTransport(), {
    onProtocolError: (problem) => console.warn(`[hindsight rpc] ${problem}`),
  });
  client.$onClose(onClose);
  await client.$ready;
  return client;
}

export function getClient(): Promise<RpcClient> {
  if (!current) {
    const closed = (reason: string) => {
      if (current === attempt) current = undefined;
      for (const listener of closeListeners) listener(reason);
    };
    const early = takeEarlyConnection(closed);
    const attempt: Promise<RpcClient> = early ? early.then((client) => client ?? openConnection(closed)) : openConnection(closed);
    current = attempt;
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
  }
  return current;
}

/** Told when the connection to the backend is lost (web host stopped, token refused…). */
export function onConnectionClosed(listener: (reason: string) => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}

export function isElectron(): boolean {
  return typeof window !== 'undefined' && !!window.hindsightBridge;
}
