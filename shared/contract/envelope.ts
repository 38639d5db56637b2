/**
 * The one envelope both transports carry (Electron IPC and the web mode's WebSocket).
 * Client → server and server → client messages; every message is validated on arrival.
 */
import { z } from 'zod';
import { RpcErrorSchema } from './errors.js';
import { TaskEvent } from './tasks.js';

const id = z.number().int().nonnegative();
const method = z.string().min(1).max(100);

export const ClientMessage = z.discriminatedUnion('t', [
  /** Must be the first message; the server answers with hello-ok or closes with CONTRACT_MISMATCH. */
  z.object({ t: z.literal('hello'), contractVersion: z.number().int() }),
  /** invoke and task members. A task answers {taskId} and then sends task messages. */
  z.object({ t: z.literal('call'), id, method, input: z.unknown() }),
  z.object({ t: z.literal('subscribe'), id, method, input: z.unknown() }),
  z.object({ t: z.literal('unsubscribe'), id }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello-ok'), contractVersion: z.number().int(), appVersion: z.string() }),
  z.object({ t: z.literal('hello-refused'), error: RpcErrorSchema }),
  // Two shapes share t: 'result', so they form a nested union on `ok` (zod needs unique discriminators).
  z.discriminatedUnion('ok', [
    z.object({ t: z.literal('result'), id, ok: z.literal(true), value: z.unknown() }),
    z.object({ t: z.literal('result'), id, ok: z.literal(false), error: RpcErrorSchema }),
  ]),
  /**
   * A batch of stream items for subscription `id`. `dropped`: how many older items the server
   * discarded since the previous batch because this subscriber could not keep up (bounded queue).
   */
  z.object({ t: z.literal('items'), id, items: z.array(z.unknown()), dropped: z.number().int().positive().optional() }),
  z.object({ t: z.literal('end'), id, error: RpcErrorSchema.optional() }),
  /** A batch of events of one task. */
  z.object({ t: z.literal('task'), taskId: z.string(), events: z.array(TaskEvent) }),
  z.object({ t: z.literal('event'), name: method, payload: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
