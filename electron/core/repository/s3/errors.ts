/**
 * AWS SDK failures → RpcErrors that say what went wrong with this repository. By the time an error
 * gets here the SDK has already retried it (transient network errors, 5xx, throttling) up to
 * maxAttempts, so the message can say so.
 */
import { RpcError, type ErrorCode } from '../../../../shared/contract/errors.js';
import { cancelled, isAbortError } from '../streams.js';

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number; requestId?: string };
}

const AUTH = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'AuthorizationHeaderMalformed',
  'CredentialsProviderError',
]);

export function s3ErrorName(e: unknown): string | undefined {
  const err = e as SdkErrorLike | undefined;
  return err?.Code ?? err?.name;
}

export function httpStatusOf(e: unknown): number | undefined {
  return (e as SdkErrorLike | undefined)?.$metadata?.httpStatusCode;
}

export function isNotFound(e: unknown): boolean {
  const name = s3ErrorName(e);
  return name === 'NoSuchKey' || name === 'NotFound' || (httpStatusOf(e) === 404 && name !== 'NoSuchBucket');
}

function technical(e: SdkErrorLike): string {
  const parts = [s3ErrorName(e), e.message].filter(Boolean).join(': ');
  const meta = e.$metadata;
  const extra = [
    meta?.httpStatusCode && `HTTP ${meta.httpStatusCode}`,
    meta?.attempts && `${meta.attempts} attempt${meta.attempts > 1 ? 's' : ''}`,
    meta?.requestId && `request id ${meta.requestId}`,
  ].filter(Boolean);
  return extra.length ? `${parts} (${extra.join(', ')})` : parts;
}

/** The RpcError for a failed `action` ("writing data/x.tar.zst") on the repository at `location`. */
export function s3Error(e: unknown, location: string, action: string, signal?: AbortSignal): RpcError {
  if (signal?.aborted || isAbortError(e)) {
    return RpcError.is(e) && e.code === 'CANCELLED' ? e : cancelled(location, action.charAt(0).toUpperCase() + action.slice(1));
  }
  if (RpcError.is(e)) return e;
  const err = (e ?? {}) as SdkErrorLike;
  const name = s3ErrorName(err) ?? '';
  const status = httpStatusOf(err);
  const attempts = err.$metadata?.attempts;
  const fail = (code: ErrorCode, why: string) => new RpcError(code, `${location}: ${action} failed: ${why}`, technical(err));

  if (AUTH.has(name) || status === 401 || status === 403) {
    return fail(
      'AUTH_FAILED',
      name === 'AccessDenied' || (status === 403 && !AUTH.has(name))
        ? 'access denied — the credentials are valid but not allowed to do this on the bucket.'
        : name === 'CredentialsProviderError'
          ? 'no usable credentials were found (check the profile, the environment or the stored keys).'
          : `the server refused the credentials (${name || `HTTP ${status}`}) — check the access key id and the secret key.`,
    );
  }
  if (name === 'NoSuchBucket') return fail('NOT_FOUND', 'the bucket does not exist.');
  if (isNotFound(err)) return fail('NOT_FOUND', 'no such object.');

  const netCode = err.code ?? '';
  if (netCode === 'ENOTFOUND' || netCode === 'EAI_AGAIN') return fail('LOOKUP_FAILED', 'the endpoint\'s host name cannot be resolved.');
  if (netCode === 'ECONNREFUSED') return fail('TCP_FAILED', 'connection refused — is the S3 endpoint right, is the server running?');
  if (netCode === 'ECONNRESET' || netCode === 'EPIPE' || netCode === 'EHOSTUNREACH' || netCode === 'ENETUNREACH') {
    return fail('TCP_FAILED', `the connection to the S3 endpoint failed (${netCode}).`);
  }
  if (name === 'TimeoutError' || netCode === 'ETIMEDOUT' || name === 'RequestTimeout') {
    return fail('TIMEOUT', 'the S3 endpoint did not answer in time.');
  }
  if (status !== undefined && status >= 500) {
    const tries = attempts ? ` after ${attempts} attempt${attempts > 1 ? 's' : ''}` : '';
    return fail('INTERNAL', `the S3 server kept failing (HTTP ${status}${name ? ` ${name}` : ''})${tries}.`);
  }
  return fail('INTERNAL', `${name || 'unexpected error'}${err.message && err.message !== name ? ` — ${err.message}` : ''}.`);
}
