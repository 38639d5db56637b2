/**
 * Tasks are app-level: they outlive the connection that started them (close the window, the
 * restore goes on). The registry runs each one with its own AbortController, records its state for
 * tasks.list, and hands every event to the router, which fans it out to the connections.
 */
import { randomUUID } from 'node:crypto';
import {
  TaskEvent,
  type RpcErrorShape,
  type TaskContext,
  type TaskInfo,
  type TaskMember,
} from '../../../shared/contract/index.js';
import { internalError, toWireError } from './wire-errors.js';
import type { RpcLogger } from './types.js';

/** The shape of a task handler (see HandlerFor in the contract), with input and result unknown. */
export interface AnyTaskHandler {
  title(input: unknown): string;
  run(input: unknown, ctx: TaskContext): Promise<unknown>;
}

type ProgressEvent = Extract<TaskEvent, { type: 'progress' }>;
type LogEvent = Extract<TaskEvent, { type: 'log' }>;
type EndEvent = Extract<TaskEvent, { type: 'done' | 'failed' }>;

/** Log lines kept per task for tasks.get (a window opening mid-run catches up from these). */
export const TASK_LOG_KEEP = 500;

interface TaskRecord {
  info: TaskInfo;
  controller: AbortController;
  progress: ProgressEvent | null;
  /** The last TASK_LOG_KEEP log lines, oldest first. */
  logs: LogEvent[];
  end: EndEvent | null;
}

export interface TaskSnapshot {
  info: TaskInfo;
  progress: ProgressEvent | null;
  logs: LogEvent[];
  end: EndEvent | null;
}

export class TaskRegistry {
  private readonly records = new Map<string, TaskRecord>();
  private readonly listeners = new Set<(taskId: string, event: TaskEvent) => void>();

  constructor(
    private readonly logger: RpcLogger,
    private readonly checkReports: boolean,
    private readonly keepFinished = 200,
  ) {}

  /** Starts the task on the next turn of the event loop; the caller answers {taskId} first. */
  start(method: string, member: TaskMember, handler: AnyTaskHandler, input: unknown): string {
    const taskId = randomUUID();
    const controller = new AbortController();
    const record: TaskRecord = {
      info: { taskId, method, state: 'running', startedAt: new Date().toISOString(), endedAt: null, title: titleOf(handler, input, method) },
      controller,
      progress: null,
      logs: [],
      end: null,
    };
    this.records.set(taskId, record);
    const ctx: TaskContext = {
      signal: controller.signal,
      taskId,
      report: (event) => {
        if (record.info.state !== 'running') return;
        if (this.checkReports && !TaskEvent.safeParse(event).success) {
          this.logger.warn(`${method}: dropped a malformed task report ${JSON.stringify(event).slice(0, 200)}`);
          return;
        }
        remember(record, event);
        this.emit(taskId, event);
      },
    };
    setImmediate(() => {
      Promise.resolve()
        .then(() => handler.run(input, ctx))
        .then(
          (value) => this.succeed(record, member, value),
          (error: unknown) => this.fail(record, error),
        );
    });
    return taskId;
  }

  list(): TaskInfo[] {
    return [...this.records.values()].map((r) => ({ ...r.info })).reverse();
  }

  /** Where a task is now: its info, last progress, recent log lines and, once ended, its end event. */
  get(taskId: string): TaskSnapshot | undefined {
    const r = this.records.get(taskId);
    if (!r) return undefined;
    return { info: { ...r.info }, progress: r.progress, logs: r.logs.slice(-TASK_LOG_KEEP), end: r.end };
  }

  /** true when the task was running and is now being aborted. */
  cancel(taskId: string): boolean | undefined {
    const record = this.records.get(taskId);
    if (!record) return undefined;
    if (record.info.state !== 'running' || record.controller.signal.aborted) return false;
    record.controller.abort(new Error('cancelled by the user'));
    return true;
  }

  onEvent(listener: (taskId: string, event: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** App shutdown: abort everything still running. */
  abortAll(): void {
    for (const record of this.records.values()) {
      if (record.info.state === 'running') record.controller.abort(new Error('the application is shutting down'));
    }
  }

  private succeed(record: TaskRecord, member: TaskMember, value: unknown): void {
    const parsed = member.result.safeParse(value);
    if (!parsed.success) {
      const error = internalError(this.logger, `${record.info.method} returned a result that does not fit the contract: ${parsed.error.message}`, 'The backend produced a malformed result');
      return this.finish(record, 'failed', { type: 'failed', error });
    }
    // Completed despite a cancel request: it did finish, so report the truth.
    this.finish(record, 'succeeded', { type: 'done', result: parsed.data });
  }

  private fail(record: TaskRecord, error: unknown): void {
    if (record.controller.signal.aborted) {
      const cancelled: RpcErrorShape = { code: 'CANCELLED', message: 'The operation was cancelled' };
      return this.finish(record, 'cancelled', { type: 'failed', error: cancelled });
    }
    this.finish(record, 'failed', { type: 'failed', error: toWireError(error, this.logger, record.info.method) });
  }

  private finish(record: TaskRecord, state: TaskInfo['state'], event: TaskEvent): void {
    record.info.state = state;
    record.info.endedAt = new Date().toISOString();
    record.end = event as EndEvent;
    this.emit(record.info.taskId, event);
    this.forgetOldFinished();
  }

  private emit(taskId: string, event: TaskEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(taskId, event);
      } catch (error) {
        this.logger.error(`task event listener threw: ${String(error)}`);
      }
    }
  }

  private forgetOldFinished(): void {
    let finished = 0;
    for (const r of this.records.values()) if (r.info.state !== 'running') finished++;
    for (const [id, r] of this.records) {
      if (finished <= this.keepFinished) break;
      if (r.info.state !== 'running') {
        this.records.delete(id);
        finished--;
      }
    }
  }
}

function remember(record: TaskRecord, event: TaskEvent): void {
  if (event.type === 'progress') record.progress = event;
  else if (event.type === 'log') {
    record.logs.push(event);
    // Amortised trim: the array never holds more than twice the bound.
    if (record.logs.length > TASK_LOG_KEEP * 2) record.logs.splice(0, record.logs.length - TASK_LOG_KEEP);
  }
}

function titleOf(handler: AnyTaskHandler, input: unknown, method: string): string {
  try {
    const title = handler.title(input);
    return typeof title === 'string' && title ? title : method;
  } catch {
    return method;
  }
}
