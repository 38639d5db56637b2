/**
 * From a saved repository (config + secrets) to a live backend. SFTP repositories connect with
 * the same known_hosts and pending-key bookkeeping as hosts, so an annex whose key is not known yet
 * fails with HOSTKEY_UNKNOWN and can be accepted the same way (hosts.acceptHostKey).
 */
import type { RepositoryConfig, RepositorySecrets } from '../../../shared/contract/repositories.js';
import { configFiles, expandHome, userKnownHostsPath } from '../config/paths.js';
import type { SshConnectDeps } from '../ssh/connect.js';
import { KnownHostsStore } from '../ssh/known-hosts-store.js';
import { PendingHostKeys } from '../ssh/pending-host-keys.js';
import type { RepositoryBackend } from './backend.js';
import { LocalBackend, defaultLocalRepositoryPath } from './local-backend.js';
import path from 'node:path';
import { S3Backend } from './s3/s3-backend.js';
import { UploadJournal } from './s3/upload-journal.js';
import { SftpBackend } from './sftp/sftp-backend.js';

export interface BackendDeps {
  configDir: string;
  /** Share the app's instances so keys seen here can be accepted through the hosts flow. */
  ssh?: SshConnectDeps;
  /** Where S3 "env" credentials come from; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

/** Stand-alone SSH deps (the CLI, tests): Hindsight's known_hosts, then the user's, read-only. */
export function defaultSshDeps(configDir: string): SshConnectDeps {
  return {
    knownHosts: new KnownHostsStore(configFiles(configDir).knownHosts, userKnownHostsPath()),
    pendingKeys: new PendingHostKeys(),
    agentSocket: process.env.SSH_AUTH_SOCK,
  };
}

export function createBackend(config: RepositoryConfig, secrets: RepositorySecrets, deps: BackendDeps): RepositoryBackend {
  switch (config.kind) {
    case 'local':
      return new LocalBackend(config.path ? expandHome(config.path) : defaultLocalRepositoryPath(deps.configDir));
    case 'sftp':
      return new SftpBackend(
        {
          name: config.name,
          address: config.address,
          port: config.port,
          user: config.user,
          auth: config.auth,
          path: config.path,
          passphrase: secrets.keyPassphrase,
        },
        deps.ssh ?? defaultSshDeps(deps.configDir),
      );
    case 's3':
      return new S3Backend({
        name: config.name,
        endpoint: config.endpoint,
        region: config.region,
        bucket: config.bucket,
        prefix: config.prefix,
        forcePathStyle: config.forcePathStyle,
        credentials: config.credentials,
        secrets: { secretAccessKey: secrets.secretAccessKey, sessionToken: secrets.sessionToken },
        maxAttempts: config.maxAttempts,
        env: deps.env,
        uploadJournal: new UploadJournal(path.join(deps.configDir, 'uploads'), config.id),
      });
  }
}
