/**
 * Small stream and cancellation helpers shared by the three backends, so that "cancelled", "body
 * too short" and "aborted read" mean the same thing (and the same RpcError) everywhere.
 */
import { randomBytes } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';

export function cancelled(location: string, what = 'The operation'): RpcError {
  return new RpcError('CANCELLED', `${what} on ${location} was cancelled.`);
}

export function isAbortError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: string; code?: string };
  return name === 'AbortError' || code === 'ABORT_ERR' || (RpcError.is(e) && (e as RpcError).code === 'CANCELLED');
}

export function throwIfAborted(signal: AbortSignal | undefined, location: string, what?: string): void {
  if (signal?.aborted) throw cancelled(location, what);
}

/**
 * Counts the bytes flowing through, without copying them. With an expected length, a body that
 * runs long fails at once and one that ends short fails at its end — before the backend makes the
 * object visible (rename, CompleteMultipartUpload), since the failure comes from the stream itself.
 */
export class ByteCounter extends Transform {
  bytes = 0;

  constructor(
    private readonly expected?: number,
    private readonly key = 'the object',
    /** A size the body must not pass, and the error it fails with then. */
    private readonly limit?: { bytes: number; error: () => Error },
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expected !== undefined && this.bytes > this.expected) return cb(lengthMismatch(this.bytes, this.expected, this.key, 'more than'));
    if (this.limit && this.bytes > this.limit.bytes) return cb(this.limit.error());
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.expected !== undefined && this.bytes !== this.expected) return cb(lengthMismatch(this.bytes, this.expected, this.key, 'only'));
    cb();
  }
}

function lengthMismatch(bytes: number, expected: number, key: string, how: string): RpcError {
  return new RpcError(
    'INTERNAL',
    `The upload of ${key} was refused: ${how} ${bytes} bytes arrived where ${expected} were announced (the source stream ${how === 'only' ? 'ended early' : 'ran long'}).`,
  );
}

/**
 * Destroys `stream` with an AbortError when `signal` fires; the listener goes away when the stream
 * closes, so a long-lived signal does not collect listeners from every finished read.
 */
export function destroyOnAbort<S extends Readable>(stream: S, signal: AbortSignal | undefined): S {
  if (!signal) return stream;
  const onAbort = () => stream.destroy(Object.assign(new Error('The read was cancelled.'), { name: 'AbortError' }));
  if (signal.aborted) {
    onAbort();
    return stream;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  stream.once('close', () => signal.removeEventListener('abort', onAbort));
  return stream;
}

/** A temp name for `key`: unique among concurrent writers, and recognisable (TEMP_SUFFIX) in listings. */
export function tempKeyFor(key: string): string {
  return `${key}.tmp-${randomBytes(6).toString('hex')}`;
}
