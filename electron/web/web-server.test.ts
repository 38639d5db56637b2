import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CONTRACT_VERSION } from '../../shared/contract/index.js';
import { createClient, type Transport } from '../../shared/rpc/index.js';
import { createRouter } from '../core/rpc/router.js';
import { fakeBackend, sampleHost, silentLogger } from '../core/rpc/test-fakes.js';
import { CONTENT_SECURITY_POLICY } from './security.js';
import { startWebServer, type RunningWebServer } from './web-server.js';

const TOKEN = 'test-token-0123456789';
let dir: string;
let server: RunningWebServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hindsight-web-'));
  const root = path.join(dir, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Hindsight</title>');
  await writeFile(path.join(root, 'assets', 'app-abc123.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'TOP SECRET');
  await symlink(path.join(dir, 'secret.txt'), path.join(root, 'escape.txt'));
  const router = createRouter(fakeBackend(), { mode: 'web', configDir: '/c', appVersion: '3.1.4', logger: silentLogger() });
  server = await startWebServer({ router, staticDir: root, port: 0, token: TOKEN, logger: silentLogger() });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw request: the path goes on the wire exactly as written (no URL normalisation). */
function get(rawPath: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: rawPath, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Try a WebSocket upgrade; resolves with the HTTP status of a refusal, or 101 when it opened. */
function upgrade(query: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; ws?: WebSocket }>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc${query}`, { headers });
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
  });
}

function wsTransport(ws: WebSocket): Transport {
  return {
    send: (m) => ws.send(JSON.stringify(m)),
    onMessage: (cb) => {
      const l = (data: WebSocket.RawData) => cb(JSON.parse(data.toString()));
      ws.on('message', l);
      return () => ws.off('message', l);
    },
    onClose: (cb) => {
      const l = () => cb('closed');
      ws.on('close', l);
      return () => ws.off('close', l);
    },
    close: () => ws.close(),
  };
}

describe('static files', () => {
  it('serves index.html for / with the strict CSP and no-referrer', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Hindsight</title>');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  it('serves assets with their type', async () => {
    const res = await get('/assets/app-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/%00index.html',
    '/escape.txt',
    '//etc/passwd',
    '/%E0%A4%A',
  ])('refuses traversal %s with 404', async (attempt) => {
    const res = await get(attempt);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('TOP SECRET');
  });

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    const res = await get('/', { Host: `evil.example:${server.port}` });
    expect(res.status).toBe(403);
  });
});

describe('the /rpc WebSocket', () => {
  it('refuses an upgrade without the token or with a wrong one (401)', async () => {
    expect((await upgrade('')).status).toBe(401);
    expect((await upgrade('?token=wrong')).status).toBe(401);
    expect((await upgrade(`?token=${TOKEN}x`)).status).toBe(401);
  });

  it('refuses a foreign Origin even with the right token (403)', async () => {
    expect((await upgrade(`?token=${TOKEN}`, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await upgrade(`?token=${TOKEN}`, { Origin: `http://localhost:${server.port + 1}` })).status).toBe(403);
  });

  it('refuses a rebound Host whose Origin matches it (403)', async () => {
    const host = `evil.example:${server.port}`;
    expect((await upgrade(`?token=${TOKEN}`, { Host: host, Origin: `http://${host}` })).status).toBe(403);
  });

  it('accepts the right token from its own origin, and the typed client works over it', async () => {
    const { status, ws } = await upgrade(`?token=${TOKEN}`, { Origin: `http://127.0.0.1:${server.port}` });
    expect(status).toBe(101);
    const client = createClient(wsTransport(ws as WebSocket));
    expect(await client.$ready).toEqual({ contractVersion: CONTRACT_VERSION, appVersion: '3.1.4' });
    expect(await client.hosts.list()).toEqual([sampleHost]);
    expect((await client.system.info()).mode).toBe('web');
    client.$close();
  });

  it('drops non-JSON frames without closing the connection', async () => {
    const { ws } = await upgrade(`?token=${TOKEN}`);
    const socket = ws as WebSocket;
    socket.send('this is not json');
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    const client = createClient(wsTransport(socket));
    expect((await client.$ready).appVersion).toBe('3.1.4');
    client.$close();
  });
});
