import http from 'node:http';
import { Duplex, duplexPair } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelAgent } from './channel-agent.js';
import { asSocket } from './socket-adapter.js';

/**
 * The adapter is tested against plain in-memory Duplex pairs: one side plays the ssh2 channel
 * (a Duplex with none of net.Socket's extras), the other is handed to a real http.Server.
 */
function serverOver(handler: http.RequestListener) {
  const server = http.createServer({ keepAlive: true }, handler);
  let opened = 0;
  const open = async (): Promise<Duplex> => {
    // Not half-open: like an ssh2 channel, a side whose far end finished closes itself once its
    // 'end' has been emitted.
    const [client, serverSide] = duplexPair({ allowHalfOpen: false });
    opened++;
    // The server gets an adapted end too: it calls setTimeout/setNoDelay on its sockets as well.
    server.emit('connection', asSocket(serverSide));
    return client;
  };
  return { server, open, opened: () => opened };
}

function get(agent: http.Agent, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: 'engine', path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setNoDelay(true); // a net.Socket-only call: must not throw on a channel
    req.end();
  });
}

const agents: http.Agent[] = [];
afterEach(() => {
  agents.splice(0).forEach((a) => a.destroy());
});

describe('asSocket', () => {
  it('adds the net.Socket methods the http stack calls, chainable, to the same object', () => {
    const [a] = duplexPair();
    const s = asSocket(a);
    expect(s).toBe(a);
    expect(s.setNoDelay(true).setKeepAlive(true, 1000).ref().unref().setTimeout(0)).toBe(s);
    expect(s.connecting).toBe(false);
    expect(asSocket(s)).toBe(s); // idempotent
    s.destroy();
  });

  it('emits timeout after the idle period, and activity postpones it', async () => {
    const [a, b] = duplexPair();
    const s = asSocket(a);
    b.resume();
    s.resume();
    let fired = 0;
    const start = Date.now();
    s.setTimeout(120, () => fired++);
    await new Promise((r) => setTimeout(r, 70));
    s.write('ping'); // activity at ~70 ms pushes the deadline to ~190 ms
    b.write('pong');
    await new Promise((r) => setTimeout(r, 80));
    expect(fired).toBe(0);
    await new Promise<void>((r) => s.once('timeout', () => r()));
    expect(Date.now() - start).toBeGreaterThanOrEqual(180);
    expect(fired).toBe(1);
    expect(s.timeout).toBe(120);
    s.setTimeout(0);
    expect(s.timeout).toBeUndefined();
    s.destroy();
    b.destroy();
  });

  it("emits 'end' when the far side ends, even when nobody reads (so pools notice)", async () => {
    const [a, b] = duplexPair();
    const s = asSocket(a);
    let ended = false;
    s.once('end', () => (ended = true));
    b.end();
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(true);
    expect(s.readableFlowing).toBeNull(); // still not flowing: nothing was consumed on its behalf
  });

  it('keeps unread data readable when the far side ends', async () => {
    const [a, b] = duplexPair();
    const s = asSocket(a);
    b.end('last words');
    await new Promise((r) => setTimeout(r, 20));
    expect(String(s.read())).toBe('last words');
  });

  it('reports destroyed for streams whose destroy() does not (ssh2 channels), and drains them', async () => {
    // ssh2's Channel.destroy() only sends a channel close; 'close' comes later, by hand.
    class LazyChannel extends Duplex {
      override _read() {}
      override _write(_c: unknown, _e: BufferEncoding, cb: () => void) {
        cb();
      }
      override destroy() {
        setTimeout(() => this.emit('close'), 5);
        return this;
      }
    }
    const ch = asSocket(new LazyChannel());
    ch.push('unread');
    expect(ch.destroyed).toBe(false);
    ch.destroy();
    expect(ch.destroyed).toBe(true);
    expect(ch.readableFlowing).toBe(true); // drained: buffered data is not wanted any more

    const closedByPeer = asSocket(new LazyChannel());
    let seenInListener: boolean | undefined;
    closedByPeer.on('close', () => (seenInListener = closedByPeer.destroyed));
    closedByPeer.emit('close');
    expect(seenInListener).toBe(true);
  });

  it('does not start the flow of data by itself (nothing is lost before the consumer attaches)', async () => {
    const [a, b] = duplexPair();
    const s = asSocket(a);
    s.setTimeout(1000);
    b.write('early bytes');
    await new Promise((r) => setTimeout(r, 20));
    expect(s.readableFlowing).toBeNull();
    expect(String(s.read())).toBe('early bytes');
    s.destroy();
    b.destroy();
  });
});

describe('ChannelAgent over Duplex streams', () => {
  it('carries real HTTP requests, reusing an idle channel for the next request', async () => {
    const { open, opened } = serverOver((req, res) => res.end(`hello ${req.url}`));
    const agent = new ChannelAgent(open);
    agents.push(agent);
    expect(await get(agent, '/_ping')).toEqual({ status: 200, body: 'hello /_ping' });
    expect(await get(agent, '/version')).toEqual({ status: 200, body: 'hello /version' });
    expect(opened()).toBe(1);
  });

  it('opens one channel per concurrent request', async () => {
    const { open, opened } = serverOver((req, res) => setTimeout(() => res.end(String(req.url)), 20));
    const agent = new ChannelAgent(open);
    agents.push(agent);
    const bodies = await Promise.all(['/a', '/b', '/c'].map((p) => get(agent, p).then((r) => r.body)));
    expect(bodies).toEqual(['/a', '/b', '/c']);
    expect(opened()).toBe(3);
  });

  it('streams a long response chunk by chunk and ends when the server ends it', async () => {
    const { open } = serverOver((_req, res) => {
      let n = 0;
      const t = setInterval(() => {
        res.write(`line ${++n}\n`);
        if (n === 5) {
          clearInterval(t);
          res.end();
        }
      }, 5);
    });
    const agent = new ChannelAgent(open);
    agents.push(agent);
    const { body } = await get(agent, '/events');
    expect(body.trim().split('\n')).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
  });

  it('passes a failure to open the channel to the request as its error', async () => {
    const agent = new ChannelAgent(() => Promise.reject(new Error('channel refused')));
    agents.push(agent);
    await expect(get(agent, '/_ping')).rejects.toThrow('channel refused');
  });

  it('drops a pooled channel that the server closed, and the next request opens a new one', async () => {
    const { open, opened } = serverOver((_req, res) => res.end('ok'));
    const channels: Duplex[] = [];
    const agent = new ChannelAgent(async () => {
      const c = await open();
      channels.push(c);
      return c;
    });
    agents.push(agent);
    await get(agent, '/one');
    // The far side goes away while the channel idles in the pool (engine restart, tunnel drop):
    // an ssh2 channel then gets push(null) and nothing else.
    channels[0]!.push(null);
    await new Promise((r) => setTimeout(r, 20));
    expect(await get(agent, '/two')).toEqual({ status: 200, body: 'ok' });
    expect(opened()).toBe(2);
  });

  it('does not cut a quiet response on a reused channel (the free-socket timeout is lifted)', async () => {
    const { open, opened } = serverOver((req, res) => {
      if (req.url === '/quick') return res.end('ok');
      res.write('first\n');
      setTimeout(() => res.end('after a pause\n'), 200);
    });
    const agent = new ChannelAgent(open, { timeout: 50 });
    agents.push(agent);
    await get(agent, '/quick');
    const { body } = await get(agent, '/stream');
    expect(body).toBe('first\nafter a pause\n');
    expect(opened()).toBe(1);
  });

  it('closes idle kept-alive channels after the agent timeout', async () => {
    const { open } = serverOver((_req, res) => res.end('ok'));
    let channel: Duplex | undefined;
    const agent = new ChannelAgent(async () => (channel = await open()), { timeout: 50 });
    agents.push(agent);
    await get(agent, '/');
    await new Promise((r) => setTimeout(r, 150));
    expect(channel?.destroyed).toBe(true);
  });
  // Without the adapter the same request dies with an uncaught
  // "TypeError: Function.prototype.apply was called on undefined" from callSocketMethod in
  // node:_http_client (req.setNoDelay on a channel) — the pitfall this module exists for.
});
