/**
 * Turns what dockerode/docker-modem throws into RpcErrors in plain words. A StepError from the
 * tunnel (lookup/tcp/hostkey/auth/socket) passes through unchanged: it already says what failed.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import { StepError, detailOf } from '../step-error.js';

interface ModemError extends Error {
  statusCode?: number;
  reason?: string;
  json?: { message?: string } | Buffer | null;
  code?: string;
}

/** The engine's own words, e.g. "No such container: shop-db-9". */
export function engineMessage(e: unknown): string {
  const err = e as ModemError;
  const json = err?.json;
  if (json && !Buffer.isBuffer(json) && typeof json.message === 'string' && json.message) return json.message.trim();
  return (err?.message ?? String(e)).replace(/^\(HTTP code \d+\)\s*/, '').trim();
}

export function statusCodeOf(e: unknown): number | undefined {
  const code = (e as ModemError)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Errors of a direct unix-socket connection (local engines). */
export function localSocketError(e: unknown, socketPath: string): StepError | undefined {
  const code = (e as ModemError)?.code;
  const why =
    code === 'ENOENT'
      ? 'there is no such socket (is Docker installed and running?)'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied (add your user to the "docker" group, then log in again)'
        : code === 'ECONNREFUSED'
          ? 'nothing answers on it (is dockerd running?)'
          : code === 'ENOTSOCK'
            ? 'it is not a socket'
            : undefined;
  return why ? new StepError('socket', 'SOCKET_FAILED', `Cannot use the Docker socket ${socketPath}: ${why}.`, detailOf(e)) : undefined;
}

/** Any failure of an engine call, as an RpcError (`what` says what we were doing, for the message). */
export function toEngineError(e: unknown, what: string, socketPath?: string): RpcError {
  if (RpcError.is(e)) return e;
  if (socketPath) {
    const local = localSocketError(e, socketPath);
    if (local) return local;
  }
  const status = statusCodeOf(e);
  if (status !== undefined) return new RpcError('DOCKER_ERROR', `${what}: ${engineMessage(e)}`, `HTTP ${status}`);
  if ((e as Error)?.name === 'AbortError') return new RpcError('CANCELLED', `${what}: cancelled.`);
  return new RpcError('DOCKER_ERROR', `${what}: the connection to the engine failed.`, detailOf(e));
}
