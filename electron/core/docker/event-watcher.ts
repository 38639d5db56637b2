/**
 * Follows one engine's event stream (containers and volumes) and calls `onEvent` for each change
 * that matters to the inventory. If the stream drops (tunnel down, engine restarted) it reconnects
 * with exponential backoff until stopped; `onLive` tells when the stream is (re)established, since
 * anything may have changed while it was down.
 */
import type { Readable } from 'node:stream';
import { createLogger } from '../log.js';
import { dial } from './dial.js';
import type { Engine } from './engine.js';

const log = createLogger('events');

export interface DockerEvent {
  Type?: string;
  Action?: string;
  status?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Container actions that change nothing the inventory shows (health checks exec every few seconds). */
const NOISE = /^(exec_|attach|detach|resize|top|archive-path|extract-to-dir|export|copy|commit)/;

export function isInventoryChange(ev: DockerEvent): boolean {
  if (ev.Type === 'volume') return true;
  if (ev.Type !== 'container') return false;
  return !NOISE.test(ev.Action ?? ev.status ?? '');
}

export interface WatcherOptions {
  engine: () => Promise<Engine>;
  onEvent: (ev: DockerEvent) => void;
  onLive: (reconnected: boolean) => void;
  onDown: () => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class EventWatcher {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** True while the event stream is open. */
  live = false;

  constructor(
    readonly label: string,
    private readonly opts: WatcherOptions,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { signal } = this.abort;
    const min = this.opts.minBackoffMs ?? 1_000;
    const max = this.opts.maxBackoffMs ?? 30_000;
    let failures = 0;
    let everLive = false;
    while (!signal.aborted) {
      try {
        const engine = await this.opts.engine();
        const stream = await dial<Readable>(engine.docker, '/events', {
          query: { filters: { type: ['container', 'volume'] } },
          stream: true,
          signal,
        });
        this.live = true;
        this.opts.onLive(everLive);
        everLive = true;
        failures = 0;
        await this.consume(stream, signal);
      } catch (e) {
        if (!signal.aborted) log.info(`${this.label}: event stream unavailable: ${(e as Error).message}`);
      }
      if (this.live) {
        this.live = false;
        this.opts.onDown();
      }
      if (signal.aborted) break;
      const wait = Math.min(max, min * 2 ** failures++);
      await sleep(wait, signal);
    }
  }

  private consume(stream: Readable, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let buffered = '';
      const done = () => {
        stream.removeAllListeners('data');
        stream.destroy();
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          try {
            const ev = JSON.parse(line) as DockerEvent;
            if (isInventoryChange(ev)) this.opts.onEvent(ev);
          } catch {
            log.debug(`${this.label}: ignoring an unparsable event line`);
          }
        }
        // An event is a few hundred bytes; a huge unterminated line means something is off.
        if (buffered.length > 1 << 20) buffered = '';
      });
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(finish, ms);
    function finish() {
      clearTimeout(t);
      signal.removeEventListener('abort', finish);
      resolve();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}
