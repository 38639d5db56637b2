/**
 * A transport pair inside one process (CLI, tests). Messages take a JSON round trip and are
 * delivered asynchronously in order, like on a real socket: what works here cannot depend on
 * sharing objects or on synchronous delivery.
 */
import type { Transport } from '../../../shared/rpc/transport.js';
import type { Router } from './router.js';
import type { Peer } from './types.js';

export interface InProcessTransport extends Transport {
  close(): void;
}

export function createInProcessTransport(router: Router): InProcessTransport {
  const messageListeners = new Set<(message: unknown) => void>();
  const closeListeners = new Set<(reason: string) => void>();
  let closed = false;

  const deliver = (fn: () => void) => queueMicrotask(() => !closed && fn());
  const shutdown = (reason: string) => {
    if (closed) return;
    closed = true;
    connection.close();
    for (const listener of closeListeners) listener(reason);
  };

  const peer: Peer = {
    send: (message) => {
      const copy: unknown = JSON.parse(JSON.stringify(message));
      deliver(() => messageListeners.forEach((listener) => listener(copy)));
    },
    close: (reason) => queueMicrotask(() => shutdown(reason)),
  };
  const connection = router.connect(peer);

  return {
    send(message) {
      if (closed) return;
      const copy: unknown = JSON.parse(JSON.stringify(message));
      deliver(() => connection.receive(copy));
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => shutdown('closed by the client'),
  };
}
