import { z } from 'zod';
import { ERROR_CODES, type RpcErrorShape as Shape } from './rpc-error.js';

export { RpcError } from './rpc-error.js';

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const RpcErrorSchema = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Technical detail, one click away in the UI. Never holds a secret. */
  detail: z.string().optional(),
});
export type RpcErrorShape = z.infer<typeof RpcErrorSchema>;
// The schema and the plain shape (rpc-error.ts) describe the same object.
const sameShape: Shape = {} as RpcErrorShape;
void sameShape;

