/**
 * Turning whatever was thrown into the {code, message, detail} that crosses the boundary.
 * An RpcError passes as it is; anything else becomes INTERNAL with a generic message, and its
 * stack goes to the backend log under a short reference the user can quote.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { ErrorCode, type RpcErrorShape } from '../../../shared/contract/index.js';
import { logLocation } from '../log.js';
import type { RpcLogger } from './types.js';

export function toWireError(error: unknown, logger: RpcLogger, context: string): RpcErrorShape {
  const known = asRpcErrorShape(error);
  if (known) return known;
  return internalError(logger, `${context}: ${describe(error)}`);
}

/** Log `what` (never sent to the client) and return the generic INTERNAL error that points at it. */
export function internalError(logger: RpcLogger, what: string, message = 'Something went wrong in the backend'): RpcErrorShape {
  const reference = randomBytes(4).toString('hex');
  logger.error(`[ref ${reference}] ${what}`);
  return { code: 'INTERNAL', message, detail: `Reference ${reference} in ${logLocation()}` };
}

/** INVALID_INPUT with every issue spelled out ("name: letters, digits…; connection.port: …"). */
export function invalidInput(method: string, error: z.ZodError): RpcErrorShape {
  return { code: 'INVALID_INPUT', message: `Invalid input for ${method}: ${formatIssues(error)}` };
}

const ISSUES_LISTED = 6;

export function formatIssues(error: z.ZodError): string {
  const issues = error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : 'input';
    return `${where}: ${issue.message}`;
  });
  const more = issues.length > ISSUES_LISTED ? `; and ${issues.length - ISSUES_LISTED} more` : '';
  return issues.slice(0, ISSUES_LISTED).join('; ') + more;
}

/** RpcError instances, and look-alikes from another copy of the contract module. */
function asRpcErrorShape(error: unknown): RpcErrorShape | undefined {
  if (typeof error !== 'object' || error === null || (error as { name?: unknown }).name !== 'RpcError') return undefined;
  const { code, message, detail } = error as { code?: unknown; message?: unknown; detail?: unknown };
  const parsedCode = ErrorCode.safeParse(code);
  if (!parsedCode.success || typeof message !== 'string') return undefined;
  return { code: parsedCode.data, message, ...(typeof detail === 'string' && detail ? { detail } : {}) };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return `non-error thrown: ${JSON.stringify(error)}`;
  } catch {
    return `non-error thrown: ${String(error)}`;
  }
}
