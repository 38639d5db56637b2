/**
 * Small queries against a MariaDB/MySQL server, run with the client inside its container (the same
 * credentials as the dump, commands.ts): exact row counts per table for the manifest and the
 * verification, the list of databases (a rollback drops those a failed restore created), the
 * server version for the manifest.
 */
import type { Readable } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';
import type { Engine } from '../docker/engine.js';
import { mariadbQueryCommand } from './commands.js';
import { runningContainer } from './containers.js';
import { execCapture } from './exec.js';
import { openMariadbDump } from './mariadb-mongo.js';

export interface MariadbTarget {
  engine: Engine;
  container: string;
  user?: string;
  signal?: AbortSignal;
}

/** Server-owned schemas: not user data, never counted, never dropped. */
export const MARIADB_SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];
const SYSTEM_LIST = MARIADB_SYSTEM_SCHEMAS.map((s) => `'${s}'`).join(', ');

export async function mariadbQuery(t: MariadbTarget, sql: string, what: string): Promise<string[][]> {
  const c = await runningContainer(t.engine, t.container, t.signal);
  const command = mariadbQueryCommand(c.env, { user: t.user, sql });
  const out = await execCapture(t.engine, { container: c.id, cmd: command.cmd, env: command.env }, { what: `${what} in ${c.name} on ${t.engine.name}`, signal: t.signal });
  return parseBatchRows(out);
}

/** `mariadb -N -B` output: one row a line, tab-separated, with \t \n \\ \0 escaped in values. */
export function parseBatchRows(out: string): string[][] {
  const unescape = (v: string) => v.replace(/\\([tn0\\])/g, (_, ch: string) => (ch === 't' ? '\t' : ch === 'n' ? '\n' : ch === '0' ? '\0' : '\\'));
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t').map(unescape));
}

/**
 * Exact counts, in one batch: the server builds a `SELECT … COUNT(*) … UNION ALL …` over every base
 * table of every user database and runs it as a prepared statement (information_schema's
 * TABLE_ROWS is only an estimate for InnoDB).
 */
export const MARIADB_ROW_COUNTS_SQL = [
  'SET SESSION group_concat_max_len = 16777216',
  "SELECT GROUP_CONCAT(CONCAT('SELECT ', QUOTE(table_schema), ', ', QUOTE(table_name), ', COUNT(*) FROM `', REPLACE(table_schema, '`', '``'), '`.`', REPLACE(table_name, '`', '``'), '`') " +
    `SEPARATOR ' UNION ALL ') INTO @hindsight_q FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN (${SYSTEM_LIST})`,
  "SET @hindsight_q = COALESCE(@hindsight_q, 'SELECT 1, 1, 1 FROM DUAL WHERE FALSE')",
  'PREPARE hindsight_s FROM @hindsight_q',
  'EXECUTE hindsight_s',
].join(';\n');

/** {"<database>": {"<table>": n}} for every user database (an empty database is listed with {}). */
export async function mariadbRowCounts(t: MariadbTarget): Promise<Record<string, Record<string, number>>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const db of await mariadbDatabases(t)) counts[db] = {};
  for (const row of await mariadbQuery(t, MARIADB_ROW_COUNTS_SQL, 'Counting rows')) {
    const [db, table, n] = row;
    const num = Number(n);
    if (db === undefined || table === undefined || !Number.isInteger(num)) throw new RpcError('INTERNAL', `Counting rows: unexpected output from mariadb: ${row.join(' ').slice(0, 200)}`);
    (counts[db] ??= {})[table] = num;
  }
  return counts;
}

export async function mariadbDatabases(t: MariadbTarget): Promise<string[]> {
  const rows = await mariadbQuery(t, `SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN (${SYSTEM_LIST}) ORDER BY schema_name`, 'Listing databases');
  return rows.map((r) => r[0]!);
}

/**
 * Bytes of data and indexes of every stored table (the mysql schema included: a dump of all
 * databases carries it): about an upper bound of the dump, for a large upload's parts.
 */
export async function mariadbSizeOnDisk(t: MariadbTarget): Promise<number> {
  const rows = await mariadbQuery(t, "SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'performance_schema')", 'Measuring the databases');
  const n = Number(rows[0]?.[0]);
  if (!Number.isFinite(n)) throw new Error('no size');
  return n;
}

export async function mariadbDropDatabase(t: MariadbTarget, database: string): Promise<void> {
  if (MARIADB_SYSTEM_SCHEMAS.includes(database)) throw new RpcError('INVALID_INPUT', `${database} is a system schema; it is never dropped.`);
  await mariadbQuery(t, `DROP DATABASE IF EXISTS \`${database.replace(/`/g, '``')}\``, `Dropping database ${database}`);
}

/** "MariaDB 10.11.6" (or "MySQL 8.0.36") from VERSION(). */
export async function mariadbVersion(t: MariadbTarget): Promise<string> {
  const v = (await mariadbQuery(t, 'SELECT VERSION()', 'Reading the server version'))[0]?.[0] ?? '';
  const m = v.match(/^(\d+\.\d+\.\d+)/);
  if (!m) throw new RpcError('INTERNAL', `Reading the server version: unexpected answer "${v.slice(0, 100)}".`);
  return `${/mariadb/i.test(v) ? 'MariaDB' : 'MySQL'} ${m[1]}`;
}

export interface MariadbBackupSource {
  stream: Readable;
  image: string;
  /** Counted just before the dump: what a restore is checked against. */
  databaseRowCounts: Record<string, Record<string, number>>;
  engineVersion?: string;
}

/** A backup of every database: the row counts and version first, then the dump stream. */
export async function openMariadbBackup(t: MariadbTarget): Promise<MariadbBackupSource> {
  const databaseRowCounts = await mariadbRowCounts(t);
  const engineVersion = await mariadbVersion(t).catch(() => undefined);
  const d = await openMariadbDump(t);
  return { stream: d.stream, image: d.image, databaseRowCounts, ...(engineVersion ? { engineVersion } : {}) };
}
