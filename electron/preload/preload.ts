/**
 * The sandboxed preload: exposes one narrow bridge, `window.hindsightBridge`, that carries only
 * envelope messages on one IPC channel. No ipcRenderer, no Node, nothing else reaches the page.
 * Bundled to CommonJS (a sandboxed preload cannot load ES modules).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, IPC_CHANNEL, type HindsightBridge } from '../../shared/rpc/bridge.js';

const bridge: HindsightBridge = {
  send(message) {
    ipcRenderer.send(IPC_CHANNEL, message);
  },
  onMessage(listener) {
    // Strip the IPC event: the page must never get hold of `event.sender` (ipcRenderer itself).
    const forward = (_event: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(IPC_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
