/**
 * The error every failure becomes at the boundary, without zod: the renderer imports it (its bundle
 * carries no schema library — the backend validates what crosses; errors.ts has the schemas).
 */

/** Every failure that crosses the boundary is one of these codes with a plain-words message. */
export const ERROR_CODES = [
  'INVALID_INPUT', // the payload did not fit the contract's schema
  'UNKNOWN_METHOD',
  'CONTRACT_MISMATCH', // client and server speak different contract versions
  'UNAUTHORIZED', // web mode: missing/wrong token or foreign origin
  'NOT_FOUND',
  'CONFLICT', // e.g. a host of that name exists, an operation already holds the target
  'LOOKUP_FAILED', // name lookup of the host failed
  'TCP_FAILED', // connection refused / timed out
  'HOSTKEY_UNKNOWN', // the server presented a key we have never seen: show fingerprint, ask
  'HOSTKEY_CHANGED', // the key differs from the pinned one: refused
  'AUTH_FAILED', // wrong key / user / passphrase
  'KEY_UNREADABLE', // the private key file is missing or unparsable
  'SOCKET_FAILED', // reached the host but not its Docker socket (missing, permission)
  'DOCKER_ERROR', // the engine answered with an error
  'CORRUPTED', // a stored object does not match its manifest (checksum, truncation, bad frame)
  'UNSAFE_ARCHIVE', // a tar entry that could land outside its volume (absolute, "..", link escape, device)
  'UNTRUSTED', // a snapshot without a valid signature of a writer trusted for its host (or one that lowers its set's encryption)
  'CANCELLED',
  'TIMEOUT',
  'DISCONNECTED', // client side: the transport closed before the answer arrived
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface RpcErrorShape {
  code: ErrorCode;
  message: string;
  /** Technical detail, one click away in the UI. Never holds a secret. */
  detail?: string | undefined;
}

/** Thrown by core code; serialised as {code, message, detail} by the router. */
export class RpcError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
  toJSON(): RpcErrorShape {
    return { code: this.code, message: this.message, ...(this.detail ? { detail: this.detail } : {}) };
  }
  static is(e: unknown): e is RpcError {
    return e instanceof RpcError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'RpcError');
  }
}
