/**
 * The commands run inside database containers, as pure functions of the options and the
 * container's environment (unit-tested; the lab has PostgreSQL only). Each returns the argv, extra
 * environment and a `display` form for plans and logs with secrets masked.
 *
 * Credentials come from the variables the official images are configured with, and travel in the
 * exec's environment, never in argv (an exec's argv is visible to anyone who can inspect it):
 *   PostgreSQL  POSTGRES_USER (default postgres); the local socket is trusted in the official
 *               image, PGPASSWORD from POSTGRES_PASSWORD is passed in case it is not.
 *   MariaDB     root with MARIADB_ROOT_PASSWORD / MYSQL_ROOT_PASSWORD, as MYSQL_PWD (read by the
 *               clients); *_ROOT_PASSWORD_FILE is read by the shell inside the container.
 *   MongoDB     MONGO_INITDB_ROOT_USERNAME / _PASSWORD, expanded by the shell from the exec's
 *               environment (mongodump has no password variable of its own), so it appears in the
 *               container's process list while the command runs, but not in the exec record.
 */

export interface DbCommand {
  cmd: string[];
  env: string[];
  /** For plans and logs: the command a person would type, secrets masked. */
  display: string;
}

export type ContainerEnv = Record<string, string>;

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function displayOf(cmd: string[]): string {
  return cmd.map(shellQuote).join(' ');
}

// ---------------------------------------------------------------- PostgreSQL

export type PostgresMode = 'dumpall' | 'database';

export interface PostgresConn {
  /** Role to connect as (default: POSTGRES_USER of the container, else postgres). */
  user?: string;
}

export function postgresUser(env: ContainerEnv, conn: PostgresConn = {}): string {
  return conn.user ?? env.POSTGRES_USER ?? 'postgres';
}

function pgEnv(env: ContainerEnv): string[] {
  return env.POSTGRES_PASSWORD ? [`PGPASSWORD=${env.POSTGRES_PASSWORD}`] : [];
}

/**
 * dumpall: plain SQL of the whole cluster (roles, every database), with DROP … IF EXISTS before each
 * CREATE so it restores over a cluster that already has them. database: one database in pg_dump's
 * custom format (compressed by the pipeline, so -Z0 here: compressing twice wastes CPU).
 */
export function postgresDumpCommand(mode: PostgresMode, env: ContainerEnv, opts: PostgresConn & { database?: string }): DbCommand {
  const user = postgresUser(env, opts);
  let cmd: string[];
  if (mode === 'dumpall') cmd = ['pg_dumpall', '-U', user, '--clean', '--if-exists'];
  else {
    if (!opts.database) throw new Error('a database dump needs the database name');
    cmd = ['pg_dump', '-U', user, '-Fc', '-Z0', '-d', dbnameConninfo(opts.database)];
  }
  return { cmd, env: pgEnv(env), display: displayOf(cmd) };
}

/**
 * A physical base backup of the whole cluster as one tar on stdout (point-in-time recovery,
 * docs/pitr.md), with the WAL written while it ran (`-X fetch`: it restores on its own to the moment
 * it ended), a fast checkpoint, no manifest; its progress and the WAL start and end points (`-v`,
 * which only `fetch`/`stream` print) go to the file "$2" in the container.
 */
export function postgresBaseBackupCommand(env: ContainerEnv, logFile: string, opts: PostgresConn = {}): DbCommand {
  const user = postgresUser(env, opts);
  const cmd = ['sh', '-c', 'exec pg_basebackup -U "$1" -D - -Ft -X fetch --checkpoint=fast --no-manifest -v 2>"$2"', 'hindsight-basebackup', user, logFile];
  return { cmd, env: pgEnv(env), display: `pg_basebackup -U ${user} -D - -Ft -X fetch --checkpoint=fast --no-manifest -v` };
}

/**
 * dumpall: psql on the "postgres" database, stopping at the first error (-X: no ~/.psqlrc).
 * database: pg_restore of the custom format from stdin, replacing the objects it holds, all in one
 * transaction — a failed restore leaves the database as it was.
 */
export function postgresLoadCommand(mode: PostgresMode, env: ContainerEnv, opts: PostgresConn & { database?: string; noOwner?: boolean }): DbCommand {
  const user = postgresUser(env, opts);
  let cmd: string[];
  if (mode === 'dumpall') cmd = ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', user, '-d', 'postgres'];
  else {
    if (!opts.database) throw new Error('a database restore needs the database name');
    cmd = ['pg_restore', '-U', user, '-d', dbnameConninfo(opts.database), '--clean', '--if-exists', '--single-transaction', '--exit-on-error'];
    // For a target cluster without the source's roles: objects belong to the restoring role, no GRANTs.
    if (opts.noOwner) cmd.push('--no-owner', '--no-acl');
  }
  return { cmd, env: pgEnv(env), display: displayOf(cmd) };
}

/** psql for one query, unaligned and tuples-only: its stdout is the bare value. */
export function psqlQueryCommand(env: ContainerEnv, opts: PostgresConn & { database: string; sql: string }): DbCommand {
  const cmd = ['psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-U', postgresUser(env, opts), '-d', dbnameConninfo(opts.database), '-c', opts.sql];
  return { cmd, env: pgEnv(env), display: displayOf(cmd) };
}

/**
 * A database name as libpq's `-d` must get it: `-d` takes a connection string whenever the value
 * holds "=" or starts with "postgres://", so a database named "x host=evil.example" would connect
 * elsewhere (and send the password there). As `dbname='…'` it is only ever a database name.
 */
export function dbnameConninfo(database: string): string {
  // A plain name is only ever a database name to libpq: shown (and passed) as it is.
  if (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(database)) return database;
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function sqlIdentifier(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------- MariaDB / MySQL

export interface MariadbOptions {
  /** One database (default: all of them). */
  database?: string;
  user?: string;
}

/** Picks the first of the client names the image has (mariadb-dump in new images, mysqldump in old). */
function firstOf(names: string[], args: string[], pre = ''): string[] {
  const tries = names.map((n) => `command -v ${n} >/dev/null 2>&1 && exec ${n} "$@"`).join('; ');
  return ['sh', '-c', `${pre}${tries}; echo "none of ${names.join(', ')} found" >&2; exit 127`, 'hindsight-db', ...args];
}

function mariadbCredentials(env: ContainerEnv, opts: MariadbOptions): { user: string; env: string[]; pre: string } {
  const user = opts.user ?? 'root';
  const password = env.MARIADB_ROOT_PASSWORD ?? env.MYSQL_ROOT_PASSWORD;
  const file = env.MARIADB_ROOT_PASSWORD_FILE ?? env.MYSQL_ROOT_PASSWORD_FILE;
  if (password !== undefined && password !== '') return { user, env: [`MYSQL_PWD=${password}`], pre: '' };
  if (file) return { user, env: [`HINDSIGHT_PWFILE=${file}`], pre: 'MYSQL_PWD="$(cat "$HINDSIGHT_PWFILE")"; export MYSQL_PWD; ' };
  return { user, env: [], pre: '' };
}

export function mariadbDumpCommand(env: ContainerEnv, opts: MariadbOptions = {}): DbCommand {
  const c = mariadbCredentials(env, opts);
  const what = opts.database ? ['--databases', opts.database] : ['--all-databases'];
  const args = [`--user=${c.user}`, ...what, '--single-transaction', '--routines', '--events', '--triggers', '--hex-blob', '--default-character-set=utf8mb4'];
  return { cmd: firstOf(['mariadb-dump', 'mysqldump'], args, c.pre), env: c.env, display: `mariadb-dump ${args.join(' ')}` };
}

/**
 * The load runs the client with --sandbox where it has it (MariaDB 10.5.25, 10.6.18, 10.11.8, 11.x
 * and later): a dump can then not run the client's own commands (`\\! sh`, `system`, `source`,
 * `tee`) — SQL only. Older clients have no such switch; the load goes on without it.
 */
export function mariadbLoadCommand(env: ContainerEnv, opts: MariadbOptions = {}): DbCommand {
  const c = mariadbCredentials(env, opts);
  const args = [`--user=${c.user}`, '--default-character-set=utf8mb4'];
  const sandbox = `for h in mariadb mysql; do if command -v $h >/dev/null 2>&1; then $h --help 2>/dev/null | grep -q -- '--sandbox' && set -- "$@" --sandbox; break; fi; done; `;
  return { cmd: firstOf(['mariadb', 'mysql'], args, c.pre + sandbox), env: c.env, display: `mariadb ${args.join(' ')} --sandbox` };
}

/** The mariadb client for one batch of SQL: tab-separated rows, no column names (-N -B). */
export function mariadbQueryCommand(env: ContainerEnv, opts: MariadbOptions & { sql: string }): DbCommand {
  const c = mariadbCredentials(env, opts);
  const args = [`--user=${c.user}`, '--default-character-set=utf8mb4', '-N', '-B', '-e', opts.sql];
  return { cmd: firstOf(['mariadb', 'mysql'], args, c.pre), env: c.env, display: displayOf(['mariadb', ...args]) };
}

// ---------------------------------------------------------------- MongoDB

export interface MongoOptions {
  /** One database (default: all of them). */
  database?: string;
}

function mongoAuth(env: ContainerEnv): { env: string[]; args: string } {
  const user = env.MONGO_INITDB_ROOT_USERNAME;
  if (!user) return { env: [], args: '' };
  const password = env.MONGO_INITDB_ROOT_PASSWORD ?? '';
  return {
    env: [`HINDSIGHT_MONGO_USER=${user}`, `HINDSIGHT_MONGO_PASSWORD=${password}`],
    args: ' --username "$HINDSIGHT_MONGO_USER" --password "$HINDSIGHT_MONGO_PASSWORD" --authenticationDatabase admin',
  };
}

/** mongodump writes one archive to stdout (--archive without a file name). */
export function mongoDumpCommand(env: ContainerEnv, opts: MongoOptions = {}): DbCommand {
  const auth = mongoAuth(env);
  const db = opts.database ? ` --db ${shellQuote(opts.database)}` : '';
  const script = `exec mongodump --archive${db}${auth.args}`;
  return { cmd: ['sh', '-c', script], env: auth.env, display: `mongodump --archive${db}${auth.args ? ' --username … --password …' : ''}` };
}

/** mongorestore reads the archive from stdin and drops each collection before restoring it. */
export function mongoRestoreCommand(env: ContainerEnv, opts: MongoOptions = {}): DbCommand {
  const auth = mongoAuth(env);
  const ns = opts.database ? ` --nsInclude ${shellQuote(`${opts.database}.*`)}` : '';
  const script = `exec mongorestore --archive --drop${ns}${auth.args}`;
  return { cmd: ['sh', '-c', script], env: auth.env, display: `mongorestore --archive --drop${ns}${auth.args ? ' --username … --password …' : ''}` };
}
