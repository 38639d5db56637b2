/**
 * A small HTTP proxy on 127.0.0.1 in front of the lab's real S3 server, for tests: it records every
 * request and can answer chosen ones with an S3-style 5xx error instead of forwarding them — the
 * way a struggling S3 service fails. Loopback only; it forwards to one fixed upstream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  /** The status we answered with when the request was failed on purpose. */
  injected?: number;
}

export interface FaultRule {
  /** How many matching requests to fail (Infinity: all of them). */
  count: number;
  status: 500 | 503;
  /** Which requests the rule applies to; all by default. */
  match?: (req: { method: string; url: string }) => boolean;
}

export interface FaultProxy {
  url: string;
  requests: SeenRequest[];
  /** Replaces the current rule; `null` forwards everything. */
  setRule(rule: FaultRule | null): void;
  close(): Promise<void>;
}

const CODE_FOR = { 500: 'InternalError', 503: 'SlowDown' } as const;

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const requests: SeenRequest[] = [];
  let rule: FaultRule | null = null;

  const server = http.createServer((req, res) => {
    const seen: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/' };
    requests.push(seen);
    if (rule && rule.count > 0 && (!rule.match || rule.match(seen))) {
      rule.count -= 1;
      seen.injected = rule.status;
      // Read the body first, as a server would, so the client is not cut off mid-send.
      req.resume();
      req.once('end', () => {
        const code = CODE_FOR[rule?.status ?? 500] ?? 'InternalError';
        res.writeHead(seen.injected!, { 'content-type': 'application/xml', connection: 'close' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>Injected by the test proxy.</Message><RequestId>proxy</RequestId></Error>`);
      });
      return;
    }
    const headers = { ...req.headers };
    delete headers.expect; // we already answered "100 Continue" ourselves
    const up = http.request(
      { host: target.hostname, port: Number(target.port || 80), method: req.method, path: req.url, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.on('error', () => up.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setRule(next) {
      rule = next ? { ...next } : null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
