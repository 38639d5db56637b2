/**
 * Makes a Duplex stream — here an ssh2 channel — acceptable to Node's http client as its socket.
 *
 * The known pitfall: http.Agent and ClientRequest treat their connection as a net.Socket and call
 * setTimeout, setNoDelay, setKeepAlive, ref and unref on it; an ssh2 channel has none of these and
 * the request dies with "Function.prototype.apply was called on undefined". We give the stream
 * those methods rather than bridging through a local socket (an extra listener, an extra copy):
 *   - setTimeout: a real idle timer (emits 'timeout' after ms without reads or writes), because
 *     the agent uses it to expire idle keep-alive connections;
 *   - setNoDelay / setKeepAlive: no-ops — Nagle and TCP keepalive belong to the SSH connection
 *     underneath (which sets noDelay and sends its own keepalives);
 *   - ref / unref: no-ops — the SSH connection's socket is what keeps the process alive, and the
 *     tunnel closes it on dispose.
 *
 * The second, quieter pitfall: an ssh2 channel is not destroyed the way Node streams are. Its
 * destroy() sends a channel close and returns; `destroyed` never becomes true; 'close' is emitted
 * by hand, and only after 'end' has been consumed. The agent, though, removes a pooled socket on
 * 'close' only if `destroyed` is true, and reuses any pooled socket that is not `destroyed` — so
 * a channel closed by the engine or by a dying tunnel would stay in the pool and the next request
 * written to it would hang forever. So the adapted stream reports `destroyed` once it was
 * destroyed or closed, drains itself when destroyed, and ends when the far side ends even if
 * nobody is reading.
 *
 * The stream object itself is returned (not wrapped): data flows with no extra buffering.
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

/** The stream's own `destroyed` getter (from Duplex.prototype), to combine with ours. */
function nativeDestroyed(s: Duplex): () => boolean {
  for (let p: object | null = Object.getPrototypeOf(s); p; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, 'destroyed');
    if (d?.get) return () => d.get!.call(s) as boolean;
  }
  return () => false;
}

export function asSocket<T extends Duplex>(stream: T): SocketLike<T> {
  const s = stream as SocketLike<T> & { [ADAPTED]?: true };
  if (s[ADAPTED]) return s;
  Object.defineProperty(s, ADAPTED, { value: true });

  let idleMs = 0;
  let timer: NodeJS.Timeout | undefined;
  let gone = false; // destroyed by a caller, or closed by the far side
  const isDestroyed = nativeDestroyed(s);

  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (idleMs > 0 && !gone) {
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
    const more = push(chunk, encoding);
    // End of data from the far side: like net.Socket, poke the stream so 'end' is emitted even if
    // nobody is reading (an idle pooled connection). read(0) consumes nothing.
    if (chunk === null) s.read(0);
    return more;
  };
  const write = s.write.bind(s) as (...args: unknown[]) => boolean;
  s.write = ((...args: unknown[]) => {
    if (timer) arm();
    return write(...args);
  }) as T['write'];

  const destroy = s.destroy.bind(s) as (err?: Error) => unknown;
  const destroyOnce = (err?: Error) => {
    if (gone) return s;
    gone = true;
    if (timer) clearTimeout(timer);
    destroy(err);
    // Whatever is still buffered is unwanted now; draining lets 'end' (and so 'close') happen.
    s.resume();
    return s;
  };
  Object.defineProperty(s, 'destroy', { value: destroyOnce, configurable: true, writable: true });
  Object.defineProperty(s, 'destroyed', { get: () => gone || isDestroyed(), configurable: true });
  // Mark it gone before anyone else hears 'close' (the agent checks `destroyed` in its listener).
  s.prependListener('close', () => {
    gone = true;
    if (timer) clearTimeout(timer);
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
