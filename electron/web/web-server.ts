/**
 * Web mode's HTTP server: the built renderer as static files, and the RPC WebSocket at /rpc.
 * Listens on 127.0.0.1 unless told otherwise; everything security-relevant lives in security.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from '../core/rpc/router.js';
import { consoleLogger, type RpcLogger } from '../core/rpc/types.js';
import { hostAllowed, SECURITY_HEADERS } from './security.js';
import { createStaticHandler } from './static-files.js';
import { createWebSocketRpc } from './websocket-rpc.js';

export interface WebServerOptions {
  router: Router;
  /** Directory holding the built renderer (index.html, assets/). */
  staticDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token: string;
  logger?: RpcLogger;
}

export interface RunningWebServer {
  /** The URL to open, token included. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? consoleLogger;
  let port = options.port ?? 0;
  const serveStatic = createStaticHandler(options.staticDir, SECURITY_HEADERS);
  const rpc = createWebSocketRpc({ router: options.router, token: options.token, listen: () => ({ host, port }), logger });

  const server: Server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host, { host, port })) {
      res.writeHead(403, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Forbidden: unexpected Host header');
      return;
    }
    serveStatic(req, res).catch((error: unknown) => {
      logger.error(`static file error: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS);
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => rpc.handleUpgrade(req, socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${urlHost}:${port}/?token=${encodeURIComponent(options.token)}`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        rpc.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
