/**
 * Makes any Duplex stream (here: an ssh2 channel) acceptable to Node's http client as a socket.
 *
 * The known pitfall: http.Agent and ClientRequest treat their connection as a net.Socket and call
 * setTimeout, setNoDelay, setKeepAlive, ref and unref on it; an ssh2 channel has none of these and
 * the request crashes with "socket.setKeepAlive is not a function". Rather than bridging through a
 * local TCP/unix socket (an extra listener, an extra copy), we give the stream those methods:
 *   - setTimeout: a real idle timer (emits 'timeout' after ms without reads or writes), because
 *     the agent uses it to expire idle keep-alive connections;
 *   - setNoDelay / setKeepAlive: no-ops — Nagle and TCP keepalive belong to the SSH connection
 *     underneath (which has its own keepalive);
 *   - ref / unref: no-ops — the SSH connection's socket is what keeps the process alive, and the
 *     tunnel closes it on dispose.
 * The stream object itself is returned (not wrapped), so data flows with no extra buffering.
 */
import type { Duplex } from 'node:stream';

export interface SocketShim {
  setTimeout(ms: number, callback?: () => void): this;
  setNoDelay(noDelay?: boolean): this;
  setKeepAlive(enable?: boolean, initialDelay?: number): this;
  ref(): this;
  unref(): this;
  readonly timeout: number | undefined;
  readonly connecting: boolean;
}

export type SocketLike<T extends Duplex = Duplex> = T & SocketShim;

const ADAPTED = Symbol('hindsight.socketAdapted');

export function asSocket<T extends Duplex>(stream: T): SocketLike<T> {
  const s = stream as SocketLike<T> & { [ADAPTED]?: true };
  if (s[ADAPTED]) return s;
  Object.defineProperty(s, ADAPTED, { value: true });

  let idleMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (idleMs > 0 && !s.destroyed) {
      timer = setTimeout(() => s.emit('timeout'), idleMs);
      // An idle timer must never be what keeps the process running.
      timer.unref();
    }
  };

  // Activity resets the idle timer. Hooking push/write (instead of listening to 'data') leaves the
  // stream's flow mode to its real consumer — a 'data' listener here would start the flow early.
  const push = s.push.bind(s);
  s.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (timer) arm();
    return push(chunk, encoding);
  };
  const write = s.write.bind(s) as (...args: unknown[]) => boolean;
  s.write = ((...args: unknown[]) => {
    if (timer) arm();
    return write(...args);
  }) as T['write'];
  s.once('close', () => {
    if (timer) clearTimeout(timer);
    idleMs = 0;
  });

  const methods: Omit<SocketShim, 'timeout' | 'connecting'> = {
    setTimeout(ms: number, callback?: () => void) {
      idleMs = ms > 0 ? ms : 0;
      if (callback) {
        if (idleMs === 0) s.removeListener('timeout', callback);
        else s.once('timeout', callback);
      }
      arm();
      return s;
    },
    setNoDelay: () => s,
    setKeepAlive: () => s,
    ref: () => s,
    unref: () => s,
  };
  for (const [name, fn] of Object.entries(methods)) {
    if (typeof (s as unknown as Record<string, unknown>)[name] !== 'function') {
      Object.defineProperty(s, name, { value: fn, configurable: true, writable: true });
    }
  }
  // net.Socket exposes these; the agent compares `socket.timeout` with its own setting.
  Object.defineProperty(s, 'timeout', { get: () => (idleMs > 0 ? idleMs : undefined), configurable: true });
  if (!('connecting' in s)) Object.defineProperty(s, 'connecting', { value: false, configurable: true });
  return s;
}
