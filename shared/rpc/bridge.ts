/**
 * The one narrow bridge the Electron preload exposes to the renderer (contextBridge), shared so the
 * preload and renderer/api agree on it. It carries only envelope messages on one IPC channel.
 */
export const BRIDGE_GLOBAL = 'hindsightBridge';
export const IPC_CHANNEL = 'hindsight:rpc';

export interface HindsightBridge {
  send(message: unknown): void;
  /** Returns an unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
}
