/**
 * Serves the built renderer (dist/renderer) and nothing else: every request path is decoded,
 * checked for traversal, resolved inside the root, and the real path (symlinks followed) must still
 * be inside the root. Anything doubtful is a plain 404.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** The file a URL path names inside `root`, or undefined when the path is suspicious. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  const full = path.resolve(root, relative);
  return full.startsWith(root + path.sep) ? full : undefined;
}

/** Paths the UI may route to on its own ("/hosts/prod"): answered with index.html. */
const APP_ROUTE = /^\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*\/?$/;

export function createStaticHandler(rootDir: string, headers: Record<string, string>) {
  const root = path.resolve(rootDir);
  const realRoot = realpath(root).catch(() => root);

  const notFound = (res: ServerResponse) => {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
  };

  const sendFile = async (req: IncomingMessage, res: ServerResponse, file: string): Promise<boolean> => {
    let real: string;
    try {
      real = await realpath(file);
      const info = await stat(real);
      if (!info.isFile()) return false;
    } catch {
      return false;
    }
    const base = await realRoot;
    if (!real.startsWith(base + path.sep)) return false;
    const isIndex = path.basename(real) === 'index.html';
    res.writeHead(200, {
      ...headers,
      'Content-Type': MIME_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
      // Vite's hashed assets never change; index.html must be fetched fresh to pick up new ones.
      'Cache-Control': isIndex ? 'no-store' : real.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  };

  return async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed');
      return;
    }
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const file = resolveStaticPath(root, rawPath);
    if (!file) return notFound(res);
    if (await sendFile(req, res, file)) return;
    if (APP_ROUTE.test(rawPath) && (await sendFile(req, res, path.join(root, 'index.html')))) return;
    notFound(res);
  };
}
