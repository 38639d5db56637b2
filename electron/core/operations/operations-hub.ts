/**
 * What this process knows about the operations it is running, beyond their journals: the task that
 * runs each one (for onTaskEvents / tasks.get / cancel), its last progress, and its log file. The
 * runners call begin → changed (on each step) → end; every call emits operations.onChanged.
 */
import type { OperationProgress } from '../../../shared/contract/operations.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { OperationLogWriter, operationLogPath } from './operation-log.js';

interface Live {
  taskId?: string;
  progress?: OperationProgress;
  log: OperationLogWriter;
}

export class OperationsHub {
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly configDir: string,
    private readonly onChanged: (id: string) => void = () => undefined,
  ) {}

  /**
   * An operation starts: its log file begins, and the returned context (use it instead of `ctx`)
   * copies every log line into the file and remembers the last progress. Without a task context
   * (CLI, tests) the lines still reach the file.
   */
  begin(id: string, ctx: TaskContext | undefined): TaskContext {
    const live: Live = { log: new OperationLogWriter(operationLogPath(this.configDir, id)), ...(ctx?.taskId ? { taskId: ctx.taskId } : {}) };
    this.live.set(id, live);
    this.onChanged(id);
    return {
      signal: ctx?.signal ?? new AbortController().signal,
      ...(ctx?.taskId ? { taskId: ctx.taskId } : {}),
      report: (event) => {
        if (event.type === 'log') live.log.append(event.level, event.message, event.ts);
        else {
          const { type: _type, ...progress } = event;
          live.progress = progress;
        }
        ctx?.report(event);
      },
    };
  }

  /** The operation moved to another step (its journal was rewritten). */
  changed(id: string): void {
    this.onChanged(id);
  }

  /** The operation ended: its log is flushed, and it is no longer live. */
  async end(id: string): Promise<void> {
    const live = this.live.get(id);
    if (!live) return;
    await live.log.flush();
    this.live.delete(id);
    this.onChanged(id);
  }

  /** Its task and last progress while it runs in this process. */
  liveOf(id: string): { taskId?: string; progress?: OperationProgress } | undefined {
    const l = this.live.get(id);
    return l ? { ...(l.taskId ? { taskId: l.taskId } : {}), ...(l.progress ? { progress: l.progress } : {}) } : undefined;
  }

  /** Waits for the pending log lines of a live operation (tests; operations.logs reads the file). */
  async flush(id: string): Promise<void> {
    await this.live.get(id)?.log.flush();
  }
}
