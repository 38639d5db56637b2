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
  /** Aborts the task's AbortSignal, which reaches every stream and channel beneath it. */
  cancel: invoke(TaskId, z.object({ cancelled: z.boolean() })),
} as const;
