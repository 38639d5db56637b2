/**
 * Inventory per host, served from a cache that Docker's event stream keeps honest.
 *
 * - A cached inventory is served only while the host's event stream is live and was already live
 *   when that inventory was fetched — otherwise an event could have been missed, so we refetch.
 * - An event drops the cache at once and, debounced (~200 ms), emits `inventory.onChanged` so a
 *   burst (a compose stack restarting) yields one event.
 * - A host is watched only while someone has asked for its inventory recently; after that the
 *   stream (an SSH channel) is closed and the cache dropped. The UI re-asks on every onChanged and
 *   on screen changes, which keeps the hosts it shows watched.
 */
import type { Inventory } from '../../../shared/contract/inventory.js';
import type { Engine } from './engine.js';
import { EventWatcher } from './event-watcher.js';
import { fetchInventory } from './inventory-fetch.js';

export interface InventoryServiceOptions {
  engineFor: (hostId: string) => Promise<Engine>;
  onChanged: (hostId: string) => void;
  debounceMs?: number;
  /** Stop watching a host this long after the last `get` for it. */
  watchIdleMs?: number;
}

interface HostState {
  watcher: EventWatcher;
  /** Sequence number at which the current event stream became live (0 = not live). */
  liveSince: number;
  lastAskedAt: number;
  /** Sequence number of the last event/invalidation: fetches started before it are stale. */
  invalidatedAt: number;
  cached?: { inventory: Inventory; fetchSeq: number };
  inflight?: { promise: Promise<Inventory>; fetchSeq: number };
  emitTimer?: NodeJS.Timeout;
}

export class InventoryService {
  private readonly hosts = new Map<string, HostState>();
  /** Orders fetches against stream (re)connections and invalidations. */
  private seq = 1;
  private readonly sweeper: NodeJS.Timeout;
  private readonly debounceMs: number;
  private readonly watchIdleMs: number;

  constructor(private readonly opts: InventoryServiceOptions) {
    this.debounceMs = opts.debounceMs ?? 200;
    this.watchIdleMs = opts.watchIdleMs ?? 15 * 60_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.watchIdleMs));
    this.sweeper.unref();
  }

  async get(hostId: string, refresh = false): Promise<Inventory> {
    const state = this.watch(hostId);
    state.lastAskedAt = Date.now();
    const fresh = state.cached && state.liveSince > 0 && state.liveSince < state.cached.fetchSeq;
    if (fresh && !refresh) return state.cached!.inventory;
    if (state.inflight && !refresh) return state.inflight.promise;

    const fetchSeq = ++this.seq;
    const promise = this.opts.engineFor(hostId).then((engine) => fetchInventory(hostId, engine));
    state.inflight = { promise, fetchSeq };
    try {
      const inventory = await promise;
      // Keep it unless something newer (a later fetch, an event) happened meanwhile.
      const current = this.hosts.get(hostId) === state && fetchSeq > state.invalidatedAt;
      if (current && (!state.cached || state.cached.fetchSeq < fetchSeq)) {
        state.cached = { inventory, fetchSeq };
      }
      return inventory;
    } finally {
      if (state.inflight?.promise === promise) state.inflight = undefined;
    }
  }

  /** Forget the cached inventory (after our own actions, before the engine's event arrives). */
  invalidate(hostId: string): void {
    const state = this.hosts.get(hostId);
    if (state) this.drop(state);
  }

  private drop(state: HostState): void {
    state.cached = undefined;
    state.inflight = undefined;
    state.invalidatedAt = ++this.seq;
  }

  /** Stop watching a host and drop its cache (host removed or its connection changed). */
  async forget(hostId: string): Promise<void> {
    const state = this.hosts.get(hostId);
    if (!state) return;
    this.hosts.delete(hostId);
    clearTimeout(state.emitTimer);
    await state.watcher.stop();
  }

  isWatching(hostId: string): boolean {
    return this.hosts.has(hostId);
  }

  async dispose(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.hosts.keys()].map((id) => this.forget(id)));
  }

  private watch(hostId: string): HostState {
    let state = this.hosts.get(hostId);
    if (state) return state;
    const s: HostState = {
      liveSince: 0,
      lastAskedAt: Date.now(),
      invalidatedAt: 0,
      watcher: new EventWatcher(`host ${hostId}`, {
        engine: () => this.opts.engineFor(hostId),
        onEvent: () => this.changed(hostId, s),
        onLive: (reconnected) => {
          s.liveSince = ++this.seq;
          // Whatever happened while the stream was down went unseen: tell the UI to refetch.
          if (reconnected) this.changed(hostId, s);
        },
        onDown: () => {
          s.liveSince = 0;
        },
      }),
    };
    this.hosts.set(hostId, s);
    s.watcher.start();
    state = s;
    return state;
  }

  private changed(hostId: string, state: HostState): void {
    this.drop(state);
    if (state.emitTimer) return;
    state.emitTimer = setTimeout(() => {
      state.emitTimer = undefined;
      if (this.hosts.get(hostId) === state) this.opts.onChanged(hostId);
    }, this.debounceMs);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [hostId, state] of this.hosts) {
      if (now - state.lastAskedAt > this.watchIdleMs) void this.forget(hostId);
    }
  }
}
