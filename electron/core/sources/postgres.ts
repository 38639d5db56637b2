/**
 * PostgreSQL source and sink, through the client tools inside the database container (exec.ts).
 *
 *   dumpall   pg_dumpall --clean --if-exists  →  .sql  →  psql -v ON_ERROR_STOP=1 -d postgres
 *             (through PsqlScriptGuard — no psql meta-commands but pg_dumpall's own — and
 *             DumpallRoleFilter, see dumpall-filter.ts)
 *   database  pg_dump -Fc -Z0 -d <db>          →  .dump →  pg_restore -d <db> --clean --if-exists
 *             --single-transaction (the database is created first if it does not exist)
 *
 * Row counts (exact count(*), one query) go into the manifest at dump time and are compared after a
 * restore. Table names: "table" for the public schema, "schema.table" otherwise.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';
import type { Engine } from '../docker/engine.js';
import {
  postgresBaseBackupCommand,
  postgresDumpCommand,
  postgresLoadCommand,
  postgresUser,
  psqlQueryCommand,
  sqlIdentifier,
  sqlLiteral,
  type PostgresMode,
} from './commands.js';
import { runningContainer } from './containers.js';
import { DumpallRoleFilter } from './dumpall-filter.js';
import { PsqlScriptGuard } from './psql-script-guard.js';
import { assertReadable, watchInput } from './errors.js';
import { execCapture, execStream, execWithInput } from './exec.js';

interface PgTarget {
  engine: Engine;
  /** Container name or id; it must be running. */
  container: string;
  user?: string;
  signal?: AbortSignal;
}

export interface OpenPostgresDumpInput extends PgTarget {
  mode: PostgresMode;
  database?: string;
}

export interface PostgresDump {
  stream: Readable;
  /** 'sql' (psql script) for dumpall, 'custom' (pg_restore archive) for a database. */
  format: 'sql' | 'custom';
  /** The command as a person would type it (for the manifest and the plan). */
  command: string;
  containerId: string;
  image: string;
}

export async function openPostgresDump(input: OpenPostgresDumpInput): Promise<PostgresDump> {
  const { engine, signal } = input;
  const c = await runningContainer(engine, input.container, signal);
  const command = postgresDumpCommand(input.mode, c.env, input);
  const what = `Dumping PostgreSQL (${input.mode === 'dumpall' ? 'all databases' : input.database}) in ${c.name} on ${engine.name}`;
  const stream = await execStream(engine, { container: c.id, cmd: command.cmd, env: command.env }, { what, signal });
  return { stream, format: input.mode === 'dumpall' ? 'sql' : 'custom', command: command.display, containerId: c.id, image: c.image };
}

export interface PostgresBaseBackup {
  /** The cluster's data directory as a tar (pg_basebackup -Ft), with the WAL of its own run in pg_wal/. */
  stream: Readable;
  /** Once the stream was read to its end: where the WAL it needs begins and ends. */
  walRange(): Promise<{ timeline: number; startLsn: string; endLsn: string }>;
  command: string;
  image: string;
  /** The cluster's system identifier: what its WAL archive is filed under. */
  systemIdentifier: string;
  /** server_version_num: a recovery needs a server of the same major version. */
  serverVersion: string;
}

/** A base backup of the cluster of a running PostgreSQL container (point-in-time recovery, docs/pitr.md). */
export async function openPostgresBaseBackup(input: PgTarget): Promise<PostgresBaseBackup> {
  const { engine, signal } = input;
  const c = await runningContainer(engine, input.container, signal);
  const systemIdentifier = await psql({ ...input, container: c.id }, 'postgres', 'SELECT system_identifier FROM pg_control_system()', 'Reading the cluster identifier');
  if (!/^\d{1,20}$/.test(systemIdentifier)) throw new RpcError('INTERNAL', `Reading the cluster identifier of ${c.name}: unexpected answer "${systemIdentifier.slice(0, 60)}".`);
  const serverVersion = await psql({ ...input, container: c.id }, 'postgres', 'SHOW server_version_num', 'Reading the server version');
  if (!/^\d{5,6}$/.test(serverVersion)) throw new RpcError('INTERNAL', `Reading the server version of ${c.name}: unexpected answer "${serverVersion.slice(0, 60)}".`);
  const logFile = `/tmp/hindsight-basebackup-${randomBytes(6).toString('hex')}.log`;
  const command = postgresBaseBackupCommand(c.env, logFile, input);
  const what = `Base backup of PostgreSQL in ${c.name} on ${engine.name}`;
  const stream = await execStream(engine, { container: c.id, cmd: command.cmd, env: command.env }, { what, signal });
  const walRange = async () => {
    const log = await execCapture(engine, { container: c.id, cmd: ['sh', '-c', 'cat "$1"; rm -f "$1"', 'hindsight-log', logFile] }, { what: `${what}: reading its log`, signal });
    const start = /write-ahead log start point: ([0-9A-F]+\/[0-9A-F]+) on timeline (\d+)/i.exec(log);
    const end = /write-ahead log end point: ([0-9A-F]+\/[0-9A-F]+)/i.exec(log);
    if (!start || !end) throw new RpcError('INTERNAL', `${what}: pg_basebackup did not say where its WAL begins and ends (${log.trim().slice(-300)}).`);
    return { timeline: Number(start[2]), startLsn: start[1]!, endLsn: end[1]! };
  };
  return { stream, walRange, command: command.display, image: c.image, systemIdentifier, serverVersion };
}

export interface LoadPostgresDumpInput extends PgTarget {
  input: Readable;
  mode: PostgresMode;
  database?: string;
  /**
   * database mode only: restore without the source's owners and grants (objects then belong to
   * the restoring role) — for a target cluster that lacks the source's roles. A dumpall carries
   * its roles itself.
   */
  noOwner?: boolean;
}

/** Loads a dump made by openPostgresDump (same mode). Resolves once the client exited 0. */
export async function loadPostgresDump(load: LoadPostgresDumpInput): Promise<void> {
  const { engine, signal } = load;
  let input = load.input;
  const watch = watchInput(load.input);
  try {
    const c = await runningContainer(engine, load.container, signal);
    const user = postgresUser(c.env, load);
    if (load.mode === 'database') await ensureDatabase({ ...load, container: c.id }, load.database!);
    const command = postgresLoadCommand(load.mode, c.env, load);
    assertReadable(load.input, `Loading into ${c.name}`);
    if (load.mode === 'dumpall') {
      // psql runs meta-commands (`\! sh`): the script guard lets only pg_dumpall's own through.
      const guard = new PsqlScriptGuard();
      const filter = new DumpallRoleFilter(user);
      load.input.once('error', (e) => guard.destroy(e));
      guard.once('error', (e) => filter.destroy(e));
      input = load.input.pipe(guard).pipe(filter);
    }
    const what = `Loading PostgreSQL (${load.mode === 'dumpall' ? 'all databases' : load.database}) into ${c.name} on ${engine.name}`;
    await execWithInput(engine, { container: c.id, cmd: command.cmd, env: command.env }, input, { what, signal });
  } catch (e) {
    throw watch.explain(e);
  } finally {
    watch.dispose();
    if (!load.input.readableEnded) load.input.destroy();
  }
}

async function psql(target: PgTarget, database: string, sql: string, what: string): Promise<string> {
  const c = await runningContainer(target.engine, target.container, target.signal);
  const command = psqlQueryCommand(c.env, { user: target.user, database, sql });
  return (await execCapture(target.engine, { container: c.id, cmd: command.cmd, env: command.env }, { what: `${what} in ${c.name} on ${target.engine.name}`, signal: target.signal })).trim();
}

async function ensureDatabase(target: PgTarget, database: string): Promise<void> {
  const exists = await psql(target, 'postgres', `SELECT 1 FROM pg_database WHERE datname = ${sqlLiteral(database)}`, `Looking for database ${database}`);
  if (exists !== '1') await psql(target, 'postgres', `CREATE DATABASE ${sqlIdentifier(database)}`, `Creating database ${database}`);
}

/**
 * Exact row counts of every user table of one database, in one query: query_to_xml runs a
 * count(*) per table (available since 8.3), json_object_agg gathers them (9.4+). Partitions are
 * tables of their own (relkind r); partitioned parents (p) hold no rows and are left out, so every
 * row is counted once.
 */
const ROW_COUNTS_SQL = `
SELECT coalesce(json_object_agg(t.name, t.n ORDER BY t.name), '{}')
FROM (
  SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
         (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS n
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
) t`;

export async function postgresRowCounts(target: PgTarget & { database: string }): Promise<Record<string, number>> {
  const out = await psql(target, target.database, ROW_COUNTS_SQL, `Counting rows in database ${target.database}`);
  try {
    return JSON.parse(out) as Record<string, number>;
  } catch {
    throw new RpcError('INTERNAL', `Counting rows in database ${target.database}: unexpected output from psql: ${out.slice(0, 200)}`);
  }
}

/** The server's major version (e.g. 15), from server_version_num. */
export async function postgresMajorVersion(target: PgTarget): Promise<number> {
  const out = await psql(target, 'postgres', 'SHOW server_version_num', 'Reading the PostgreSQL version');
  const num = Number(out);
  if (!Number.isInteger(num) || num <= 0) throw new RpcError('INTERNAL', `Reading the PostgreSQL version: unexpected answer "${out.slice(0, 100)}".`);
  // Since 10 the major version is num / 10000; before it, 9.6 was 90600 (major "9.6" → 9).
  return Math.floor(num / 10000);
}

/** The databases a dumpall holds data for (templates excepted), to count their rows. */
export async function postgresDatabases(target: PgTarget): Promise<string[]> {
  const out = await psql(target, 'postgres', "SELECT coalesce(json_agg(datname ORDER BY datname), '[]') FROM pg_database WHERE NOT datistemplate", 'Listing databases');
  return JSON.parse(out) as string[];
}

/**
 * Bytes the databases take on disk (all of them, or one): more than their dump, which has no
 * indexes and no dead rows — an upper bound that sizes a large upload's parts (s3/part-size.ts).
 */
export async function postgresSizeOnDisk(target: PgTarget & { database?: string | undefined }): Promise<number> {
  const sql = target.database ? `SELECT pg_database_size(${sqlLiteral(target.database)})` : 'SELECT coalesce(sum(pg_database_size(datname)), 0) FROM pg_database WHERE NOT datistemplate';
  const n = Number(await psql(target, 'postgres', sql, 'Measuring the databases'));
  if (!Number.isFinite(n)) throw new Error('no size');
  return n;
}

/**
 * Drops a database (a rollback removing one that a failed restore created), closing its sessions
 * first: WITH (FORCE) since PostgreSQL 13, pg_terminate_backend before that.
 */
export async function postgresDropDatabase(target: PgTarget & { database: string }): Promise<void> {
  const major = await postgresMajorVersion(target);
  const name = sqlIdentifier(target.database);
  if (major < 13) {
    await psql(target, 'postgres', `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ${sqlLiteral(target.database)}`, `Closing sessions on ${target.database}`);
  }
  await psql(target, 'postgres', `DROP DATABASE IF EXISTS ${name}${major >= 13 ? ' WITH (FORCE)' : ''}`, `Dropping database ${target.database}`);
}
