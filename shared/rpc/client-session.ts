/**
 * The client's side of one connection: the hello handshake, pending calls, stream subscriptions,
 * task results and broadcast listeners. Pure TypeScript (runs in the renderer, the CLI and tests).
 */
import { RpcError, type RpcErrorShape } from '../contract/rpc-error.js';
import type { StreamCallbacks, Subscription } from '../contract/types.js';
import type { TaskEvent } from '../contract/tasks.js';
import { readServerMessage } from './server-message.js';
import type { Transport } from './transport.js';

export interface ServerHello {
  contractVersion: number;
  appVersion: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcError): void;
}
type TaskOutcome = Extract<TaskEvent, { type: 'done' | 'failed' }>;

/** Outcomes of tasks nobody has claimed yet, kept so a late `result` still settles. */
const UNCLAIMED_OUTCOMES_KEPT = 200;

export class ClientSession {
  readonly ready: Promise<ServerHello>;
  private settleReady!: { resolve(h: ServerHello): void; reject(e: RpcError): void };
  private failure: RpcError | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, Pending>();
  private readonly streams = new Map<number, StreamCallbacks<unknown>>();
  private readonly taskResults = new Map<string, Pending>();
  private readonly unclaimedOutcomes = new Map<string, TaskOutcome>();
  private readonly taskListeners = new Map<string, Set<(events: TaskEvent[]) => void>>();
  private readonly eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly detach: Array<() => void>;

  constructor(
    private readonly transport: Transport,
    contractVersion: number,
    private readonly onProtocolError: (problem: string) => void = () => {},
  ) {
    this.ready = new Promise<ServerHello>((resolve, reject) => (this.settleReady = { resolve, reject }));
    // Callers that never await $ready must not see an unhandled rejection; they get the error per call.
    this.ready.catch(() => {});
    this.detach = [
      transport.onMessage((raw) => guard(() => this.receive(raw), this.onProtocolError)),
      transport.onClose((reason) => this.fail(new RpcError('DISCONNECTED', 'The connection to the backend was closed', reason))),
    ];
    transport.send({ t: 'hello', contractVersion });
  }

  async call(method: string, input: unknown): Promise<unknown> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      // JSON drops an undefined property and the envelope requires `input`: members that take
      // nothing default {} anyway.
      this.transport.send({ t: 'call', id, method, input: input ?? {} });
    });
  }

  async startTask(method: string, input: unknown): Promise<{ taskId: string; result: Promise<unknown> }> {
    const { taskId } = (await this.call(method, input)) as { taskId: string };
    const result = new Promise<unknown>((resolve, reject) => {
      const early = this.unclaimedOutcomes.get(taskId);
      if (early) {
        this.unclaimedOutcomes.delete(taskId);
        settleOutcome(early, { resolve, reject });
      } else if (this.failure) reject(this.failure);
      else this.taskResults.set(taskId, { resolve, reject });
    });
    result.catch(() => {}); // a caller may only watch events; a failed task must not crash the process
    return { taskId, result };
  }

  subscribe(method: string, input: unknown, callbacks: StreamCallbacks<unknown>): Subscription {
    const id = this.nextId++;
    this.streams.set(id, callbacks);
    let sent = false;
    this.ready.then(
      () => {
        if (!this.streams.has(id) || this.failure) return;
        sent = true;
        this.transport.send({ t: 'subscribe', id, method, input: input ?? {} });
      },
      (error: RpcError) => this.endStream(id, error.toJSON()),
    );
    return {
      unsubscribe: () => {
        if (!this.streams.delete(id)) return;
        if (sent && !this.failure) this.transport.send({ t: 'unsubscribe', id });
      },
    };
  }

  onEvent(name: string, listener: (payload: unknown) => void): () => void {
    return addTo(this.eventListeners, name, listener);
  }

  onTaskEvents(taskId: string, listener: (events: TaskEvent[]) => void): () => void {
    return addTo(this.taskListeners, taskId, listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(reason: string): void {
    this.transport.close?.();
    this.fail(new RpcError('DISCONNECTED', 'The connection to the backend was closed', reason));
  }

  private receive(raw: unknown): void {
    const parsed = readServerMessage(raw);
    if (!parsed.ok) return this.onProtocolError(`malformed server message: ${parsed.problem}`);
    const message = parsed.message;
    switch (message.t) {
      case 'hello-ok':
        return this.settleReady.resolve({ contractVersion: message.contractVersion, appVersion: message.appVersion });
      case 'hello-refused':
        return this.fail(toRpcError(message.error));
      case 'result': {
        const pending = this.calls.get(message.id);
        if (!pending) return this.onProtocolError(`result for unknown call ${message.id}`);
        this.calls.delete(message.id);
        return message.ok ? pending.resolve(message.value) : pending.reject(toRpcError(message.error));
      }
      case 'items': {
        const callbacks = this.streams.get(message.id);
        if (!callbacks) return; // unsubscribed while the batch was in flight
        return guard(() => callbacks.onItems(message.items, message.dropped ? { dropped: message.dropped } : undefined), this.onProtocolError);
      }
      case 'end':
        return this.endStream(message.id, message.error);
      case 'task':
        return this.receiveTaskEvents(message.taskId, message.events);
      case 'event':
        for (const listener of this.eventListeners.get(message.name) ?? []) guard(() => listener(message.payload), this.onProtocolError);
        return;
    }
  }

  private receiveTaskEvents(taskId: string, events: TaskEvent[]): void {
    for (const listener of this.taskListeners.get(taskId) ?? []) guard(() => listener(events), this.onProtocolError);
    const outcome = events.find((e): e is TaskOutcome => e.type === 'done' || e.type === 'failed');
    if (!outcome) return;
    const pending = this.taskResults.get(taskId);
    if (pending) {
      this.taskResults.delete(taskId);
      settleOutcome(outcome, pending);
      return;
    }
    this.unclaimedOutcomes.set(taskId, outcome);
    if (this.unclaimedOutcomes.size > UNCLAIMED_OUTCOMES_KEPT) {
      this.unclaimedOutcomes.delete(this.unclaimedOutcomes.keys().next().value as string);
    }
  }

  private endStream(id: number, error: RpcErrorShape | undefined): void {
    const callbacks = this.streams.get(id);
    if (!callbacks) return;
    this.streams.delete(id);
    guard(() => callbacks.onEnd?.(error), this.onProtocolError);
  }

  /** The connection is unusable (closed, or refused at hello): settle everything that waits. */
  private fail(error: RpcError): void {
    if (this.failure) return;
    this.failure = error;
    this.settleReady.reject(error);
    for (const pending of this.calls.values()) pending.reject(error);
    for (const pending of this.taskResults.values()) pending.reject(error);
    this.calls.clear();
    this.taskResults.clear();
    for (const id of [...this.streams.keys()]) this.endStream(id, error.toJSON());
    for (const listener of this.closeListeners) guard(() => listener(error.detail ?? error.message), this.onProtocolError);
    for (const undo of this.detach) undo();
  }
}

function toRpcError(shape: RpcErrorShape): RpcError {
  return new RpcError(shape.code, shape.message, shape.detail);
}

function settleOutcome(outcome: TaskOutcome, pending: Pending): void {
  if (outcome.type === 'done') pending.resolve(outcome.result);
  else pending.reject(toRpcError(outcome.error));
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): () => void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
  return () => {
    set.delete(value);
    if (set.size === 0 && map.get(key) === set) map.delete(key);
  };
}

/** A throwing listener must not break dispatch to the others nor the connection. */
function guard(fn: () => void, report: (problem: string) => void): void {
  try {
    fn();
  } catch (e) {
    report(`listener threw: ${e instanceof Error ? e.message : String(e)}`);
  }
}
