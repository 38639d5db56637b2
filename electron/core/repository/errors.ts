/**
 * Turning low-level storage failures (errno codes from fs, SFTP status codes) into RpcErrors that
 * name the repository and say what to do. AUTH_FAILED covers "not allowed" in general — wrong
 * credentials as well as a permission denied on a directory — since the fix is the same kind of
 * thing: the account or its rights.
 */
import { RpcError, type ErrorCode } from '../../../shared/contract/errors.js';
import { detailOf } from '../step-error.js';
import { cancelled, isAbortError } from './streams.js';

/** errno-like codes, as fs gives them and as the SFTP backend maps SFTP status codes onto. */
const BY_CODE: Record<string, { code: ErrorCode; why: string }> = {
  ENOENT: { code: 'NOT_FOUND', why: 'it does not exist' },
  ENOTDIR: { code: 'CONFLICT', why: 'a file is in the way where a directory is needed' },
  EACCES: { code: 'AUTH_FAILED', why: 'permission denied' },
  EPERM: { code: 'AUTH_FAILED', why: 'operation not permitted' },
  EROFS: { code: 'AUTH_FAILED', why: 'the file system is read-only' },
  ENOSPC: { code: 'INTERNAL', why: 'no space left on the device' },
  EDQUOT: { code: 'INTERNAL', why: 'the disk quota is exhausted' },
  EISDIR: { code: 'CONFLICT', why: 'a directory is in the way' },
  EEXIST: { code: 'CONFLICT', why: 'something already exists there' },
};

/**
 * The RpcError for a failure while doing `action` ("writing data/x/db.sql.zst") on `location`.
 * RpcErrors pass through unchanged; an abort becomes CANCELLED whatever the underlying error says.
 */
export function storageError(e: unknown, location: string, action: string, signal?: AbortSignal): RpcError {
  if (signal?.aborted || isAbortError(e)) return RpcError.is(e) && e.code === 'CANCELLED' ? e : cancelled(location, capitalize(action));
  if (RpcError.is(e)) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const known = code ? BY_CODE[code] : undefined;
  if (known) return new RpcError(known.code, `${location}: ${action} failed: ${known.why}.`, detailOf(e));
  return new RpcError('INTERNAL', `${location}: ${action} failed.`, detailOf(e));
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

export function notFound(location: string, key: string): RpcError {
  return new RpcError('NOT_FOUND', `${location} has no object ${key}.`);
}
