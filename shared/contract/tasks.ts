import { z } from 'zod';
import { RpcErrorSchema } from './errors.js';
import { Empty, invoke } from './define.js';

export const TaskId = z.object({ taskId: z.string() });

export const TaskState = z.enum(['running', 'succeeded', 'failed', 'cancelled']);

/** What a task reports as it runs; the transport batches these. */
export const TaskEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    /** 0..1 when known. */
    fraction: z.number().min(0).max(1).nullable(),
    message: z.string(),
    bytesDone: z.number().optional(),
    bytesTotal: z.number().optional(),
    /** Which step of the operation this is about (a PlanStepKind for restores), and which source. */
    step: z.string().optional(),
    source: z.string().optional(),
  }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string(), ts: z.string() }),
  z.object({ type: z.literal('done'), result: z.unknown() }),
  z.object({ type: z.literal('failed'), error: RpcErrorSchema }),
]);
export type TaskEvent = z.infer<typeof TaskEvent>;

export const TaskInfo = z.object({
  taskId: z.string(),
  method: z.string(),
  state: TaskState,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  title: z.string(),
});
export type TaskInfo = z.infer<typeof TaskInfo>;

export const tasksContract = {
  list: invoke(Empty, z.array(TaskInfo)),
  /** Where a task is now, for a window that opens (or reloads) while it runs: its last progress and recent log lines. */
  get: invoke(
    TaskId,
    z.object({
      info: TaskInfo,
      progress: TaskEvent.options[0].nullable(),
      logs: z.array(TaskEvent.options[1]),
      /** The final event once it ended (done with its result, or failed with its error). */
      end: z.union([TaskEvent.options[2], TaskEvent.options[3]]).nullable(),
    }),
  ),
  /** Aborts the task's AbortSignal, which reaches every stream and channel beneath it. */
  cancel: invoke(TaskId, z.object({ cancelled: z.boolean() })),
} as const;
