/**
 * Everything one connection sends. Replies go out at once; stream items, task events and
 * broadcast events are coalesced and flushed at most once per interval (≈15 a second), so a flood
 * of log lines becomes a few messages a second instead of thousands.
 *
 * Bounds (why memory never grows with a flood):
 * - per subscription, at most `maxQueue` items wait; beyond that the OLDEST are dropped and the
 *   next `items` message carries `dropped: n` (logs: the newest lines matter most when following;
 *   a synthetic item is impossible because the item schema is the member's own).
 * - per task, progress events coalesce (only the latest waiting one is kept) and logs are bounded
 *   the same way; dropped lines are replaced by one synthetic "n log lines skipped" log event.
 *   done/failed is always the newest event of a task, so it is never dropped.
 * - broadcast events with the same name and payload coalesce within a flush.
 * - while the transport says it is congested, nothing is flushed: items wait in (and fall out of)
 *   these bounded queues rather than piling up in the socket buffer.
 */
import type { RpcErrorShape, ServerMessage, TaskEvent } from '../../../shared/contract/index.js';
import { BoundedQueue } from './bounded-queue.js';
import type { BatchOptions, Peer } from './types.js';

const MAX_DISTINCT_EVENTS_PER_FLUSH = 1000;

export class Outbox {
  private readonly streams = new Map<number, BoundedQueue<unknown>>();
  private readonly tasks = new Map<string, BoundedQueue<TaskEvent>>();
  private readonly events = new Map<string, { name: string; payload: unknown }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = 0;
  private closed = false;

  constructor(
    private readonly peer: Peer,
    private readonly options: BatchOptions,
    /** Called when the peer's send throws: the connection is dead. */
    private readonly onDead: (error: unknown) => void,
  ) {}

  /** Replies (result, hello-ok, end…) are not batched. */
  sendNow(message: ServerMessage): void {
    if (this.closed) return;
    try {
      this.peer.send(message);
    } catch (error) {
      this.onDead(error);
    }
  }

  pushItem(subscriptionId: number, item: unknown): void {
    if (this.closed) return;
    let queue = this.streams.get(subscriptionId);
    if (!queue) this.streams.set(subscriptionId, (queue = new BoundedQueue(this.options.maxQueue)));
    queue.push(item);
    this.schedule();
  }

  pushTaskEvent(taskId: string, event: TaskEvent): void {
    if (this.closed) return;
    let queue = this.tasks.get(taskId);
    if (!queue) this.tasks.set(taskId, (queue = new BoundedQueue(this.options.maxQueue)));
    if (event.type === 'progress' && queue.last()?.type === 'progress') queue.replaceLast(event);
    else queue.push(event);
    this.schedule();
  }

  pushEvent(name: string, payload: unknown): void {
    if (this.closed) return;
    const key = `${name}\u0000${JSON.stringify(payload)}`;
    if (!this.events.has(key) && this.events.size >= MAX_DISTINCT_EVENTS_PER_FLUSH) return;
    this.events.set(key, { name, payload });
    this.schedule();
  }

  /** Send what is queued for the subscription (in order), then its end message. */
  endStream(subscriptionId: number, error?: RpcErrorShape): void {
    const queue = this.streams.get(subscriptionId);
    this.streams.delete(subscriptionId);
    while (queue && queue.length) this.sendItems(subscriptionId, queue);
    this.sendNow(error ? { t: 'end', id: subscriptionId, error } : { t: 'end', id: subscriptionId });
  }

  /** The client unsubscribed: whatever is queued is of no interest any more. */
  forgetStream(subscriptionId: number): void {
    this.streams.delete(subscriptionId);
  }

  flush(): void {
    this.timer = undefined;
    if (this.closed) return;
    if (this.peer.isCongested?.()) return this.schedule(true);
    this.lastFlush = Date.now();
    for (const [id, queue] of this.streams) {
      if (queue.length) this.sendItems(id, queue);
    }
    for (const [taskId, queue] of this.tasks) {
      const { items, dropped } = queue.take(this.options.maxBatch);
      if (queue.length === 0) this.tasks.delete(taskId);
      const events = dropped ? [skippedLogLines(dropped), ...items] : items;
      if (events.length) this.sendNow({ t: 'task', taskId, events });
    }
    const events = [...this.events.values()];
    this.events.clear();
    for (const { name, payload } of events) this.sendNow({ t: 'event', name, payload });
    if (this.hasQueued()) this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.streams.clear();
    this.tasks.clear();
    this.events.clear();
  }

  private sendItems(id: number, queue: BoundedQueue<unknown>): void {
    const { items, dropped } = queue.take(this.options.maxBatch);
    this.sendNow(dropped ? { t: 'items', id, items, dropped } : { t: 'items', id, items });
  }

  private hasQueued(): boolean {
    if (this.events.size || this.tasks.size) return true;
    for (const queue of this.streams.values()) if (queue.length) return true;
    return false;
  }

  /**
   * Leading-edge throttle: the first push after a quiet period goes out on the next turn of the
   * event loop (a synchronous burst still coalesces); later ones wait for the interval.
   */
  private schedule(fullInterval = false): void {
    if (this.timer || this.closed) return;
    const wait = fullInterval ? this.options.intervalMs : Math.max(0, this.lastFlush + this.options.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }
}

function skippedLogLines(count: number): TaskEvent {
  return {
    type: 'log',
    level: 'warn',
    message: `${count} earlier event${count === 1 ? '' : 's'} skipped: the view could not keep up`,
    ts: new Date().toISOString(),
  };
}
