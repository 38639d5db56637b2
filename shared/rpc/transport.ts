/**
 * What the typed client needs from a transport (Electron IPC bridge, WebSocket, in-process pair).
 * Messages are plain objects; a transport that serialises (WebSocket) does so itself.
 */
import type { ClientMessage } from '../contract/index.js';

export interface Transport {
  /** Deliver a message to the server. A transport that is still connecting queues it. */
  send(message: ClientMessage): void;
  /** Every message from the server, unvalidated (the client validates). Returns an unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once when the connection is gone for good. Returns an unsubscribe. */
  onClose(listener: (reason: string) => void): () => void;
  /** Optional: close the connection from the client side. */
  close?(): void;
}
