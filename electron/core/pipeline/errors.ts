/**
 * The pipeline's failures, as RpcErrors so they cross the boundary unchanged.
 *
 * The contract has no code yet for "the data is not what the manifest says" nor for "this archive
 * would write outside the volume"; until it does, both travel as INTERNAL with a plain message,
 * and carry a `reason` that callers (restore → rollback, verify → result) can test with
 * `isIntegrityError` / `isUnsafeArchiveError`. Proposed codes: CORRUPTED and UNSAFE_ARCHIVE.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { Direction } from './types.js';

export class IntegrityError extends RpcError {
  readonly reason = 'CORRUPTED';
  constructor(message: string, detail?: string) {
    super('INTERNAL', message, detail);
  }
}

export function isIntegrityError(e: unknown): e is IntegrityError {
  return e instanceof IntegrityError;
}

/** A tar entry refused by the tar guard; `entry` is the name as written in the archive. */
export class UnsafeArchiveError extends RpcError {
  readonly reason = 'UNSAFE_ARCHIVE';
  constructor(
    readonly entry: string,
    readonly problem: string,
  ) {
    super('INTERNAL', `The archive was refused: entry "${entry}" ${problem}.`);
  }
}

export function isUnsafeArchiveError(e: unknown): e is UnsafeArchiveError {
  return e instanceof UnsafeArchiveError;
}

/** A tar stream that cannot be parsed (bad checksum, truncated): not unsafe, just broken. */
export class MalformedArchiveError extends IntegrityError {}

export function isAbortLike(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: string; code?: string };
  return name === 'AbortError' || code === 'ABORT_ERR' || (RpcError.is(e) && (e as RpcError).code === 'CANCELLED');
}

export function cancelledError(direction: Direction): RpcError {
  return new RpcError('CANCELLED', `The ${direction} was cancelled.`);
}

/** Whatever a stage threw, as an RpcError: ours pass through, the rest become INTERNAL. */
export function asPipelineError(e: unknown, direction: Direction): RpcError {
  if (RpcError.is(e)) return e as RpcError;
  const message = e instanceof Error ? e.message : String(e);
  const err = new RpcError('INTERNAL', `The ${direction} stream failed: ${message}`);
  (err as Error).cause = e;
  return err;
}
