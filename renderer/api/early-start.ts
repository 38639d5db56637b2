/**
 * The hand-over from the early start (renderer/early/early-start.ts: a small classic script that
 * index.html runs before the app's bundle, while that bundle is still being fetched and compiled and
 * the page's main thread would otherwise wait) to the bundle: the backend connection it opened.
 * Without it (vite's dev server serves no early start) the bundle opens its own (api/client.ts).
 */
import type { RpcClient } from '../../shared/rpc/client.js';

export interface EarlyStart {
  /** The connection being opened (settles as getClient() would); null once the bundle took it, or came first. */
  connection: Promise<RpcClient> | null;
  /** Why it closed (or failed), when it did before the bundle took it. */
  closedReason?: string;
  /** Told when the connection closes, once the bundle took it. */
  onClose?: (reason: string) => void;
}

declare global {
  interface Window {
    /** Left by the early start for the bundle; each part is taken once. */
    hindsightEarlyStart?: EarlyStart;
  }
}

/**
 * The early start's connection, once, its close reported to `onClose` from now on: the client, or
 * null when it opened and closed again before the bundle came (then open another); one that failed
 * keeps its error (a refused token is said once, not tried twice). Undefined when there is none —
 * an early start that comes later then opens none — or it was taken already.
 */
export function takeEarlyConnection(onClose: (reason: string) => void): Promise<RpcClient | null> | undefined {
  const early = window.hindsightEarlyStart;
  if (!early) {
    window.hindsightEarlyStart = { connection: null };
    return undefined;
  }
  const { connection } = early;
  early.connection = null;
  if (!connection) return undefined;
  early.onClose = onClose;
  return connection.then((client) => (early.closedReason === undefined ? client : null));
}
