/**
 * Web mode's gatekeeping: the token (like Jupyter's), the Origin/Host checks on the WebSocket
 * upgrade, and the headers every HTTP answer carries.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "img-src 'self' data:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  // The token is in the page URL: never hand it to another site as a referrer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time, whatever the lengths (both sides are hashed to 32 bytes first). */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The Host header names this server. When it listens on loopback only loopback names are accepted:
 * a page on evil.example whose name was re-pointed at 127.0.0.1 (DNS rebinding) is refused even
 * though its Origin would match its own Host.
 */
export function hostAllowed(hostHeader: string | undefined, listen: { host: string; port: number }): boolean {
  if (!hostHeader) return false;
  let url: URL;
  try {
    url = new URL(`http://${hostHeader}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/') return false;
  const port = url.port ? Number(url.port) : 80;
  if (port !== listen.port) return false;
  return isLoopbackHost(listen.host) ? isLoopbackHost(url.hostname) : true;
}

/** A browser always sends Origin on a WebSocket upgrade; it must be this very server. */
export function originAllowed(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true; // not a browser (no cross-site risk); the token still applies
  const host = headers.host;
  if (!host) return false;
  const own = [`http://${host}`, `https://${host}`].map((o) => o.toLowerCase());
  return own.includes(origin.toLowerCase());
}
