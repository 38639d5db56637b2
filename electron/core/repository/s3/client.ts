/**
 * The S3Client of one repository: endpoint and addressing style, credentials from where the config
 * says, and the SDK's standard retry strategy (exponential backoff with jitter; 5xx, throttling and
 * transient network errors are retried) bounded by maxAttempts.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { RpcError } from '../../../../shared/contract/errors.js';
import type { RepositorySecrets, S3Credentials } from '../../../../shared/contract/repositories.js';

export interface S3ClientOptions {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  credentials: S3Credentials;
  secrets: Pick<RepositorySecrets, 'secretAccessKey' | 'sessionToken'>;
  maxAttempts: number;
  /** For messages. */
  location: string;
  /** The environment credentials are read from (source "env"); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

type CredentialsConfig = Pick<S3ClientConfig, 'credentials' | 'profile'>;

function credentialsConfig(opts: S3ClientOptions): CredentialsConfig {
  const { credentials, secrets, location } = opts;
  switch (credentials.source) {
    case 'keys': {
      const { secretAccessKey, sessionToken } = secrets;
      // Resolved lazily, so a missing secret surfaces as the first request's error, not at construction.
      return {
        credentials: async () => {
          if (!secretAccessKey) {
            throw new RpcError('AUTH_FAILED', `${location}: no secret access key is stored for access key ${credentials.accessKeyId}; enter it in the repository's settings.`);
          }
          return { accessKeyId: credentials.accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
        },
      };
    }
    case 'env': {
      const env = opts.env ?? process.env;
      return {
        credentials: async () => {
          const accessKeyId = env.AWS_ACCESS_KEY_ID;
          const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
          if (!accessKeyId || !secretAccessKey) {
            throw new RpcError('AUTH_FAILED', `${location}: this repository takes its credentials from the environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set for Hindsight's process.`);
          }
          return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
        },
      };
    }
    case 'profile':
      // The SDK's default chain, told which profile to use: ~/.aws/credentials, ~/.aws/config, SSO,
      // credential_process… exactly what the aws CLI would do with --profile.
      return credentials.profile ? { profile: credentials.profile } : {};
  }
}

export function createS3Client(opts: S3ClientOptions): S3Client {
  return new S3Client({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: opts.forcePathStyle,
    ...credentialsConfig(opts),
    maxAttempts: opts.maxAttempts,
    retryMode: 'standard',
    // Current SDKs add CRC32 checksums (aws-chunked trailers) to every upload by default; MinIO,
    // Ceph RGW, Swift and other S3-compatible servers vary in how well they take that. Against a
    // custom endpoint send checksums only where the API requires them; the pipeline records a
    // SHA-256 of every object in the manifest anyway.
    ...(opts.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    requestHandler: {
      connectionTimeout: 10_000,
      // Idle time on an open socket before the request fails (and is retried).
      requestTimeout: 120_000,
    },
  });
}
