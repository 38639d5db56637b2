/**
 * Docker-side data sources and sinks of the snapshot engine (ARCHITECTURE §5): each source yields a
 * Node Readable (streaming, backpressure, bounded memory, torn down by its AbortSignal) plus
 * metadata; each sink consumes a Readable. See README.md in this folder for the formats.
 */
export { ArchiveLayoutError, TarNameNormalizer } from './archive-names.js';
export type { VolumeUser } from './containers.js';
export { HELPER_LABEL, volumeUsers } from './containers.js';
export { ExecFailedError } from './errors.js';
export { execCapture, execStream, execWithInput, type ExecOptions, type ExecResult, type ExecSpec } from './exec.js';
export { sweepHelpers } from './helper.js';
export { openVolumeTar, type OpenVolumeTarInput, type VolumeTarSource } from './volume-source.js';
export { CLEAR_SCRIPT, writeVolumeTar, prepareVolumeTar, type VolumeSinkResult, type WriteVolumeTarInput } from './volume-sink.js';
export { restartUsers, stopUsers, withUsersStopped, type FormerState, type RestartOutcome, type SavedUser, type SavedUsers } from './volume-users.js';
export { checkRestorePath, openDirectoryTar, removeDirectory, writeDirectoryTar, type DirectoryTarSource, type DirectoryTarget, type WriteDirectoryTarInput } from './directory.js';
export {
  loadPostgresDump,
  openPostgresDump,
  postgresDatabases,
  postgresSizeOnDisk,
  postgresDropDatabase,
  postgresMajorVersion,
  postgresRowCounts,
  type LoadPostgresDumpInput,
  type OpenPostgresDumpInput,
  type PostgresDump,
} from './postgres.js';
export { loadMariadbDump, loadMongoDump, openMariadbDump, openMongoDump, type DbDump } from './mariadb-mongo.js';
export type { DbCommand, PostgresMode } from './commands.js';
export { mariadbDatabases, mariadbSizeOnDisk, openMariadbBackup, mariadbDropDatabase, mariadbRowCounts, mariadbVersion, parseBatchRows, type MariadbTarget } from './mariadb-queries.js';
