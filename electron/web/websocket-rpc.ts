/**
 * The RPC over a WebSocket at /rpc. The upgrade is refused (plain HTTP answer, no upgrade) unless
 * it carries the token and, when it comes from a browser, this server's own Origin.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Router } from '../core/rpc/router.js';
import type { RpcLogger } from '../core/rpc/types.js';
import { hostAllowed, originAllowed, tokenMatches } from './security.js';

/** Beyond this much unsent data the router holds batches back (its queues are bounded). */
const CONGESTED_BYTES = 4 * 1024 * 1024;
/** Largest message a client may send: inputs are small. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export interface WebSocketRpcOptions {
  router: Router;
  token: string;
  listen: () => { host: string; port: number };
  logger: RpcLogger;
}

export function createWebSocketRpc({ router, token, listen, logger }: WebSocketRpcOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  function refuse(socket: Duplex, status: 401 | 403 | 404, text: string): void {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== '/rpc') return refuse(socket, 404, 'Not Found');
    if (!tokenMatches(url.searchParams.get('token'), token)) {
      logger.warn('refused a WebSocket without the right token');
      return refuse(socket, 401, 'Unauthorized');
    }
    if (!hostAllowed(req.headers.host, listen()) || !originAllowed(req.headers)) {
      logger.warn(`refused a WebSocket from origin ${JSON.stringify(req.headers.origin)} host ${JSON.stringify(req.headers.host)}`);
      return refuse(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  }

  function serve(ws: WebSocket): void {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const connection = router.connect({
      send: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      isCongested: () => ws.bufferedAmount > CONGESTED_BYTES,
      close: (reason) => ws.close(1008, reason.slice(0, 100)),
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return logger.warn('dropped a binary WebSocket message');
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return logger.warn('dropped a WebSocket message that is not JSON');
      }
      connection.receive(message);
    });
    ws.on('close', () => connection.close());
    ws.on('error', (error) => {
      logger.warn(`WebSocket error: ${error.message}`);
      connection.close();
    });
  }

  return {
    handleUpgrade,
    close(): void {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
