/**
 * The snapshot repository layer (ARCHITECTURE §4): storage backends with one layout, the format
 * on top of them, and the saved repositories. See README.md in this folder for the design.
 */
export type { BackendCapabilities, GetOptions, ObjectInfo, ObjectStat, PutOptions, RepositoryBackend, SignalOption } from './backend.js';
export { LocalBackend, defaultLocalRepositoryPath } from './local-backend.js';
export { S3Backend, type S3BackendOptions } from './s3/s3-backend.js';
export { SftpBackend, type SftpBackendOptions } from './sftp/sftp-backend.js';
export { createBackend, defaultSshDeps, type BackendDeps } from './open-backend.js';
export { BUILT_IN_ID, RepositoriesStore, repositoryFiles, type NewRepository } from './repositories-store.js';
export { initRepository, openOrInitRepository, openRepository, type InitOptions, type OpenedRepository } from './format/repository.js';
export { asOf, listSnapshots, oldestSnapshotTime, type AsOfOptions, type ListSnapshotsOptions, type SnapshotRef } from './format/snapshots.js';
export { acquireLock, lockEntries, type LockEntry, type LockOptions, type RepositoryLock } from './format/locks.js';
export {
  DATA_PREFIX,
  INDEX_PREFIX,
  LOCKS_PREFIX,
  MARKER_KEY,
  SNAPSHOTS_PREFIX,
  dataKey,
  dataPrefix,
  dayPrefix,
  idFromManifestKey,
  indexKey,
  manifestKey,
  prefixesForRange,
} from './format/layout.js';
export { listKeys, parseJsonObject, parseJsonText, readJsonObject, readSmallObject, validateJsonObject, writeJsonObject } from './format/json-objects.js';
