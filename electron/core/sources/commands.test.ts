import { describe, expect, it } from 'vitest';
import {
  mariadbDumpCommand,
  mariadbLoadCommand,
  mongoDumpCommand,
  mongoRestoreCommand,
  postgresDumpCommand,
  postgresLoadCommand,
  psqlQueryCommand,
  sqlIdentifier,
  sqlLiteral,
} from './commands.js';

describe('PostgreSQL commands', () => {
  it('dumpall: the whole cluster, restorable over an existing one', () => {
    expect(postgresDumpCommand('dumpall', {}, {})).toEqual({
      cmd: ['pg_dumpall', '-U', 'postgres', '--clean', '--if-exists'],
      env: [],
      display: 'pg_dumpall -U postgres --clean --if-exists',
    });
    expect(postgresLoadCommand('dumpall', {}, {}).cmd).toEqual(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', 'postgres']);
  });

  it('database: custom format in, pg_restore in one transaction out', () => {
    expect(postgresDumpCommand('database', {}, { database: 'shop' }).cmd).toEqual(['pg_dump', '-U', 'postgres', '-Fc', '-Z0', '-d', 'shop']);
    expect(postgresLoadCommand('database', {}, { database: 'shop' }).cmd).toEqual([
      'pg_restore', '-U', 'postgres', '-d', 'shop', '--clean', '--if-exists', '--single-transaction', '--exit-on-error',
    ]);
    expect(() => postgresDumpCommand('database', {}, {})).toThrow(/database name/);
    expect(postgresLoadCommand('database', {}, { database: 'shop', noOwner: true }).cmd.slice(-2)).toEqual(['--no-owner', '--no-acl']);
  });

  it('takes the role from POSTGRES_USER (or the caller), the password into the environment only', () => {
    const env = { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 's3cret' };
    const dump = postgresDumpCommand('dumpall', env, {});
    expect(dump.cmd).toContain('app');
    expect(dump.env).toEqual(['PGPASSWORD=s3cret']);
    expect(dump.cmd.join(' ') + dump.display).not.toContain('s3cret');
    expect(postgresDumpCommand('dumpall', env, { user: 'admin' }).cmd).toContain('admin');
  });

  it('quotes SQL literals and identifiers, and displays a query like a shell would', () => {
    expect(sqlLiteral("o'hara")).toBe("'o''hara'");
    expect(sqlIdentifier('we"ird')).toBe('"we""ird"');
    expect(psqlQueryCommand({}, { database: 'shop', sql: 'SELECT 1' }).display).toBe("psql -X -At -v ON_ERROR_STOP=1 -U postgres -d shop -c 'SELECT 1'");
  });

  it('a database name reaches libpq as a name, never as a connection string', () => {
    for (const evil of ['x host=evil.example', 'postgresql://evil.example/db', "a' host='evil", 'back\\slash']) {
      const arg = postgresDumpCommand('database', {}, { database: evil }).cmd.at(-1)!;
      expect(arg.startsWith("dbname='")).toBe(true);
      // Unescape as libpq does: inside '…', \x is x. What comes back is the name, whole.
      const inner = arg.slice("dbname='".length, -1);
      expect(inner.replace(/\\(.)/g, '$1')).toBe(evil);
      expect(/(^|[^\\])'/.test(inner)).toBe(false);
    }
  });
});

describe('MariaDB commands', () => {
  it('dumps everything consistently with whichever client the image has', () => {
    const c = mariadbDumpCommand({ MARIADB_ROOT_PASSWORD: 'pw' });
    expect(c.cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(c.cmd[2]).toContain('command -v mariadb-dump >/dev/null 2>&1 && exec mariadb-dump "$@"');
    expect(c.cmd[2]).toContain('exec mysqldump "$@"');
    expect(c.cmd.slice(4)).toEqual([
      '--user=root', '--all-databases', '--single-transaction', '--routines', '--events', '--triggers', '--hex-blob', '--default-character-set=utf8mb4',
    ]);
    expect(c.env).toEqual(['MYSQL_PWD=pw']);
    expect(c.cmd.join(' ')).not.toContain('pw ');
  });

  it('one database, MYSQL_ROOT_PASSWORD, a password file, no password', () => {
    expect(mariadbDumpCommand({ MYSQL_ROOT_PASSWORD: 'x' }, { database: 'shop' }).cmd).toEqual(expect.arrayContaining(['--databases', 'shop']));
    expect(mariadbDumpCommand({ MYSQL_ROOT_PASSWORD: 'x' }).env).toEqual(['MYSQL_PWD=x']);
    const file = mariadbDumpCommand({ MARIADB_ROOT_PASSWORD_FILE: '/run/secrets/db' });
    expect(file.env).toEqual(['HINDSIGHT_PWFILE=/run/secrets/db']);
    expect(file.cmd[2]).toMatch(/^MYSQL_PWD="\$\(cat "\$HINDSIGHT_PWFILE"\)"; export MYSQL_PWD; /);
    expect(mariadbDumpCommand({}).env).toEqual([]);
  });

  it('loads with the mariadb (or mysql) client', () => {
    const c = mariadbLoadCommand({ MARIADB_ROOT_PASSWORD: 'pw' });
    expect(c.cmd[2]).toContain('exec mariadb "$@"');
    expect(c.cmd[2]).toContain('exec mysql "$@"');
    expect(c.cmd.slice(4)).toEqual(['--user=root', '--default-character-set=utf8mb4']);
  });
});

describe('MongoDB commands', () => {
  it('archives to stdout and restores from stdin, dropping collections first', () => {
    expect(mongoDumpCommand({})).toEqual({ cmd: ['sh', '-c', 'exec mongodump --archive'], env: [], display: 'mongodump --archive' });
    expect(mongoRestoreCommand({}, { database: 'app' }).cmd).toEqual(['sh', '-c', "exec mongorestore --archive --drop --nsInclude 'app.*'"]);
    expect(mongoDumpCommand({}, { database: "it's" }).cmd[2]).toBe(`exec mongodump --archive --db 'it'\\''s'`);
  });

  it('authenticates as the root user, the password expanded inside the container', () => {
    const c = mongoDumpCommand({ MONGO_INITDB_ROOT_USERNAME: 'root', MONGO_INITDB_ROOT_PASSWORD: 'pw' });
    expect(c.env).toEqual(['HINDSIGHT_MONGO_USER=root', 'HINDSIGHT_MONGO_PASSWORD=pw']);
    expect(c.cmd[2]).toBe('exec mongodump --archive --username "$HINDSIGHT_MONGO_USER" --password "$HINDSIGHT_MONGO_PASSWORD" --authenticationDatabase admin');
    expect(c.display).not.toContain('pw');
  });
});

describe('MariaDB queries', () => {
  it('one batch through the client the image has, password in the environment only', async () => {
    const { mariadbQueryCommand } = await import('./commands.js');
    const q = mariadbQueryCommand({ MARIADB_ROOT_PASSWORD: 'pw' }, { sql: 'SELECT 1' });
    expect(q.cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(q.cmd.slice(3)).toEqual(['hindsight-db', '--user=root', '--default-character-set=utf8mb4', '-N', '-B', '-e', 'SELECT 1']);
    expect(q.env).toEqual(['MYSQL_PWD=pw']);
    expect([...q.cmd, q.display].join(' ')).not.toMatch(/\bpw\b/);
  });

  it('parses -N -B output: tabs between values, escapes undone', async () => {
    const { parseBatchRows } = await import('./mariadb-queries.js');
    expect(parseBatchRows('inventory\titems\t60\nweird\ta\\tb\\\\c\t1\n')).toEqual([
      ['inventory', 'items', '60'],
      ['weird', 'a\tb\\c', '1'],
    ]);
    expect(parseBatchRows('')).toEqual([]);
  });
});
