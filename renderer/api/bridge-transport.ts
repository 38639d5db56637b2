/** The Electron transport: the preload's `window.hindsightBridge` (one IPC channel, envelope only). */
import type { HindsightBridge } from '../../shared/rpc/bridge.js';
import type { Transport } from '../../shared/rpc/transport.js';

declare global {
  interface Window {
    /** Present only inside the Electron app (exposed by electron/preload). */
    hindsightBridge?: HindsightBridge;
  }
}

export function createBridgeTransport(bridge: HindsightBridge): Transport {
  return {
    send: (message) => bridge.send(message),
    onMessage: (listener) => bridge.onMessage(listener),
    // IPC lives as long as the window: it never closes under the page.
    onClose: () => () => {},
  };
}
