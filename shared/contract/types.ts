/**
 * Types inferred from the contract: what the backend implements (Handlers) and what the UI calls
 * (Client). No code generation: change a schema and both sides' types follow.
 */
import type { z } from 'zod';
import type { Contract } from './index.js';
import type { EventMember, InvokeMember, StreamMember, TaskMember } from './define.js';
import type { TaskEvent } from './tasks.js';

type In<S extends z.ZodType> = z.input<S>;
type Out<S extends z.ZodType> = z.output<S>;

/** Given to a task handler: report progress/log lines; `signal` aborts on tasks.cancel. */
export interface TaskContext {
  signal: AbortSignal;
  /** The task's id in the registry that runs it (absent when a handler is called directly, e.g. tests, CLI). */
  taskId?: string;
  report(event: Extract<TaskEvent, { type: 'progress' | 'log' }>): void;
}
/** Given to a stream handler: push items (the transport batches them); `signal` aborts on unsubscribe. */
export interface StreamSink<T> {
  signal: AbortSignal;
  push(item: T): void;
}

export type HandlerFor<M> =
  M extends InvokeMember<infer I, infer O>
    ? (input: Out<I>) => Promise<Out<O>>
    : M extends TaskMember<infer I, infer R>
      ? { title: (input: Out<I>) => string; run: (input: Out<I>, ctx: TaskContext) => Promise<Out<R>> }
      : M extends StreamMember<infer I, infer T>
        ? (input: Out<I>, sink: StreamSink<Out<T>>) => Promise<void>
        : never;

/** Events are emitted by the backend, not handled: they are excluded from Handlers. */
type NonEventKeys<D> = { [K in keyof D]: D[K] extends EventMember ? never : K }[keyof D];

export type Handlers = {
  [D in keyof Contract]: { [K in NonEventKeys<Contract[D]>]: HandlerFor<Contract[D][K]> };
};

export type EventPayloads = {
  [D in keyof Contract]: {
    [K in keyof Contract[D]]: Contract[D][K] extends EventMember<infer P> ? Out<P> : never;
  };
};

export interface Subscription {
  unsubscribe(): void;
}
export interface StreamCallbacks<T> {
  /** `info.dropped`: items the server discarded before this batch because the subscriber fell behind. */
  onItems(items: T[], info?: { dropped: number }): void;
  onEnd?(error?: { code: string; message: string }): void;
}

export type ClientFor<M> =
  M extends InvokeMember<infer I, infer O>
    ? (...input: {} extends In<I> ? [input?: In<I>] : [input: In<I>]) => Promise<Out<O>>
    : M extends TaskMember<infer I, infer R>
      ? (input: In<I>) => Promise<{ taskId: string; result: Promise<Out<R>> }>
      : M extends StreamMember<infer I, infer T>
        ? (input: In<I>, callbacks: StreamCallbacks<Out<T>>) => Subscription
        : M extends EventMember<infer P>
          ? (listener: (payload: Out<P>) => void) => () => void
          : never;

/** The typed client the renderer and CLI use: `client.hosts.list()`, `client.logs.follow(...)`. */
export type Client = {
  [D in keyof Contract]: { [K in keyof Contract[D]]: ClientFor<Contract[D][K]> };
} & {
  /** Every event of a task (progress, logs, done/failed), batched. Returns an unsubscribe. */
  onTaskEvents(taskId: string, listener: (events: TaskEvent[]) => void): () => void;
};
