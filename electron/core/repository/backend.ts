/**
 * The storage seam under a snapshot repository: one interface, one layout (ARCHITECTURE §4), three
 * implementations (S3, SFTP, local folder). Keys are relative, "/"-separated, like S3 keys; each
 * backend maps them onto its own namespace (a bucket prefix, a directory).
 *
 * Promises every implementation keeps (the shared behaviour suite checks them on all three):
 * - putObject streams with bounded memory and honours backpressure; the object becomes visible
 *   all at once (never half-written), and a failed or aborted put leaves nothing behind.
 * - list() yields keys in byte order of their UTF-8 form (S3's order), whatever the backend.
 * - deleteObject of a missing key is not an error (S3 semantics).
 * - Failures are RpcErrors with a code a UI can act on (AUTH_FAILED, NOT_FOUND, TCP_FAILED,
 *   CANCELLED, …) and a message that names the repository.
 */
import type { Readable } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';
import type { RepositoryKind } from '../../../shared/contract/repositories.js';

export interface PutOptions {
  /** Aborting stops the upload and removes what was written (temp file, multipart upload). */
  signal?: AbortSignal;
  /** When known, the exact size: a body that ends short or runs long fails the put. */
  contentLength?: number;
  /**
   * About how many bytes will come (a hint, never checked): S3 chooses larger multipart parts for a
   * large object so that it fits in 10,000 of them (s3/part-size.ts).
   */
  expectedBytes?: number;
}

export interface GetOptions {
  signal?: AbortSignal;
  /** Bytes `start`..`end`, both inclusive (the convention of HTTP Range and fs.createReadStream). */
  range?: { start: number; end?: number };
  /**
   * The whole object's size as recorded (a manifest's storedBytes): a backend may then read it in
   * parallel parts (S3, ranged-reader.ts); an object of another size fails the read.
   */
  expectedSize?: number;
}

export interface SignalOption {
  signal?: AbortSignal;
}

export interface ObjectInfo {
  key: string;
  size: number;
}

export interface ObjectStat {
  size: number;
  mtime: Date;
}

export interface RepositoryBackend {
  readonly kind: RepositoryKind;
  /** Where this is, for messages: "s3://bucket/prefix (http://endpoint)", "sftp://user@host:port/repo", a path. */
  readonly location: string;

  putObject(key: string, body: Readable, opts?: PutOptions): Promise<{ bytes: number }>;
  /** Resolves once the object is known to exist (NOT_FOUND otherwise), then streams it. */
  getObject(key: string, opts?: GetOptions): Promise<Readable>;
  /** null when there is no such object. */
  stat(key: string, opts?: SignalOption): Promise<ObjectStat | null>;
  /** Every object whose key starts with `prefix` (a plain string prefix, as in S3), in key order. */
  list(prefix: string, opts?: SignalOption): AsyncIterable<ObjectInfo>;
  deleteObject(key: string, opts?: SignalOption): Promise<void>;
  /**
   * Creates a small object only if the key is free; true when this call created it. Atomic where
   * `capabilities()` says so; otherwise best-effort (see the S3 backend).
   */
  putIfAbsent(key: string, body: Buffer, opts?: SignalOption): Promise<boolean>;
  capabilities(): Promise<BackendCapabilities>;
  close(): Promise<void>;
}

export interface BackendCapabilities {
  /** putIfAbsent cannot let two writers both win. */
  atomicPutIfAbsent: boolean;
}

/** Suffix of in-flight uploads on file-like backends: `<key>.tmp-<12 hex>`. Never a valid key. */
export const TEMP_SUFFIX = /\.tmp-[0-9a-f]{12}$/;

const MAX_KEY_BYTES = 1024;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

function keyProblem(key: string, asPrefix: boolean): string | undefined {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return 'it is longer than 1024 bytes';
  if (CONTROL.test(key)) return 'it holds a control character';
  if (key.includes('\\')) return 'it holds a backslash';
  if (key.startsWith('/')) return 'it starts with "/"';
  const segments = key.split('/');
  // A prefix may end with "/" (the last segment is then empty) or be empty altogether.
  const inner = asPrefix ? segments.slice(0, -1) : segments;
  if (inner.some((s) => s === '')) return 'it has an empty path segment';
  if (segments.some((s) => s === '.' || s === '..')) return 'it has a "." or ".." segment';
  if (!asPrefix && TEMP_SUFFIX.test(key)) return 'it ends like a temporary upload';
  return undefined;
}

/**
 * Keys must map safely onto a file system as well as onto S3: no absolute paths, no "..", no empty
 * segments (a file and a directory cannot share a name the way two S3 keys can).
 */
export function assertKey(key: string): void {
  const problem = key === '' ? 'it is empty' : keyProblem(key, false);
  if (problem) throw new RpcError('INVALID_INPUT', `"${key}" is not a valid repository key: ${problem}.`);
}

export function assertPrefix(prefix: string): void {
  const problem = prefix === '' ? undefined : keyProblem(prefix, true);
  if (problem) throw new RpcError('INVALID_INPUT', `"${prefix}" is not a valid repository key prefix: ${problem}.`);
}

/** Byte order of UTF-8, which is S3's list order (JS string order differs past U+FFFF). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
