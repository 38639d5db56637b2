/**
 * The Electron transport: one IPC channel carrying the envelope, routed through the same router as
 * the web mode. Only our own page's main frame may speak on it (sender frame checked). A page
 * reload starts a new connection (its hello closes the old one, aborting its subscriptions).
 */
import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import { IPC_CHANNEL } from '../../shared/rpc/bridge.js';
import type { Connection } from '../core/rpc/connection.js';
import type { Router } from '../core/rpc/router.js';
import type { RpcLogger } from '../core/rpc/types.js';
import { isOwnPage } from './own-page.js';

function isTrustedSender(event: IpcMainEvent, indexUrl: URL): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame === event.sender.mainFrame && isOwnPage(frame.url, indexUrl);
}

function isHello(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { t?: unknown }).t === 'hello';
}

export function serveIpc(router: Router, indexUrl: URL, logger: RpcLogger): () => void {
  const connections = new Map<WebContents, Connection>();

  const drop = (contents: WebContents) => {
    connections.get(contents)?.close();
    connections.delete(contents);
  };

  const connectionFor = (contents: WebContents): Connection => {
    const existing = connections.get(contents);
    if (existing) return existing;
    const connection = router.connect({
      send: (message) => {
        if (!contents.isDestroyed()) contents.send(IPC_CHANNEL, message);
      },
      close: () => {
        if (connections.get(contents) === connection) drop(contents);
      },
    });
    connections.set(contents, connection);
    return connection;
  };

  const tracked = new WeakSet<WebContents>();
  const onMessage = (event: IpcMainEvent, message: unknown) => {
    if (!isTrustedSender(event, indexUrl)) {
      logger.warn(`ignored an IPC message from an untrusted frame: ${event.senderFrame?.url ?? '(gone)'}`);
      return;
    }
    const contents = event.sender;
    if (!tracked.has(contents)) {
      tracked.add(contents);
      contents.once('destroyed', () => drop(contents));
      contents.on('render-process-gone', () => drop(contents));
    }
    if (isHello(message)) drop(contents); // a (re)loaded page starts afresh
    connectionFor(contents).receive(message);
  };

  ipcMain.on(IPC_CHANNEL, onMessage);
  return () => {
    ipcMain.removeListener(IPC_CHANNEL, onMessage);
    for (const contents of [...connections.keys()]) drop(contents);
  };
}
