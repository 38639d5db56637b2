/** A PostgreSQL container: a dump of every database (SQL, psql) or of one (pg_dump -Fc, pg_restore). */
import type { KindModule } from '../kind-module.js';
import { dbnameConninfo, sqlIdentifier } from '../../sources/commands.js';
import { compressedCopy, decodeCommand, onHost, sh } from '../shell.js';
import { loadPostgresDump, openPostgresDump, postgresDatabases, postgresDropDatabase, postgresMajorVersion, postgresRowCounts, postgresSizeOnDisk } from '../../sources/index.js';
import { rowCountChecks } from '../../restore/db-state.js';
import { RpcError } from '../../../../shared/contract/errors.js';
import { inspectContainer } from '../../sources/containers.js';
import { SOURCE_KINDS } from '../../../../shared/contract/source-kinds.js';

/** A manifest's row-count key ("table", or "schema.table" outside public) as a quoted SQL name. */
export function pgTable(key: string): string {
  const dot = key.indexOf('.');
  return dot === -1 ? sqlIdentifier(key) : `${sqlIdentifier(key.slice(0, dot))}.${sqlIdentifier(key.slice(dot + 1))}`;
}

export const postgresKind: KindModule<'postgres'> = {
  kind: 'postgres',
  // The entrypoint's init-time server listens on the socket only, and stops again: ready is a query over TCP.
  throwaway: {
    kind: 'server',
    env: ['POSTGRES_HOST_AUTH_METHOD=trust', 'POSTGRES_PASSWORD=verify'],
    ready: 'pg_isready -U postgres -h 127.0.0.1 && psql -U postgres -h 127.0.0.1 -Atc "select 1"',
  },
  discovering: {
    serverName: SOURCE_KINDS.postgres.label,
    image: /^(postgres|postgresql|postgis|timescaledb)(-|$)/,
    command: /(^|[\s/])postgres(\s|$)/,
    specFor: (container) => ({ kind: 'postgres', container, mode: 'dumpall', user: 'postgres' }),
    labelFor: (container) => `PostgreSQL in ${container} (all databases)`,
  },
  backing: {
    nameBase: (spec) => ({ text: spec.mode === 'database' && spec.database ? `${spec.container}-${spec.database}` : spec.container, fallback: 'postgres' }),
    describe: (spec) => `PostgreSQL in ${spec.container} (${spec.mode === 'database' ? `database ${spec.database}` : 'all databases'})`,
    open: async (spec, { engine, signal, name }) => {
      const pg = { engine, container: spec.container, user: spec.user, signal };
      // Counted before the dump: what the restore is checked against.
      let rowCounts: Record<string, number> | undefined;
      let databaseRowCounts: Record<string, Record<string, number>> | undefined;
      if (spec.mode === 'database') {
        if (!spec.database) throw new RpcError('INVALID_INPUT', `${name}: a PostgreSQL source in "database" mode needs a database name.`);
        rowCounts = await postgresRowCounts({ ...pg, database: spec.database });
      } else {
        // Every database of the cluster, each with its own tables.
        databaseRowCounts = {};
        for (const db of await postgresDatabases(pg)) databaseRowCounts[db] = await postgresRowCounts({ ...pg, database: db });
      }
      const major = await postgresMajorVersion(pg).catch(() => undefined);
      const upperBound = await postgresSizeOnDisk({ ...pg, database: spec.mode === 'database' ? spec.database : undefined }).catch(() => undefined);
      const dump = await openPostgresDump({ ...pg, mode: spec.mode, database: spec.database });
      const c = await inspectContainer(engine, dump.containerId, signal).catch(() => undefined);
      return {
        stream: dump.stream,
        format: dump.format === 'sql' ? 'sql' : 'pg-custom',
        ext: dump.format === 'sql' ? 'sql' : 'dump',
        origin: { container: c?.name ?? spec.container, image: dump.image, database: spec.database, ...(major ? { engineVersion: `PostgreSQL ${major}` } : {}) },
        ...(rowCounts ? { rowCounts } : {}),
        ...(databaseRowCounts ? { databaseRowCounts } : {}),
        ...(upperBound !== undefined ? { upperBound } : {}),
      };
    },
  },
  planning: {
    notRestorable: () => undefined,
    formatProblem: (src) => (src.format === 'sql' || src.format === 'pg-custom' ? undefined : `Source ${src.name}: unexpected format ${src.format} for PostgreSQL.`),
    containerUse: () => 'restore the database into',
    notRunning: () => 'the database must be running to load a dump',
    preflightCommand: ({ target }) => `docker exec ${sh(target)} postgres --version`,
    safetyDescription: ({ target }, keptOnHost) =>
      `Dump every database of ${target}${keptOnHost ? ' into a file kept on the host by its agent (never sent here)' : ' aside'} (pg_dumpall, zstd) and list its databases before it is overwritten`,
    safetyCommand: (src, { target }, { ssh, keptOnHost }) => compressedCopy(ssh, `docker exec ${sh(target)} pg_dumpall -U postgres --clean --if-exists`, sh(`safety/${src.name}.sql.zst`), keptOnHost),
    restoreDescription: (src, t) => `Load the dump of ${src.name} into ${t.target} through its own client`,
    restoreCommand: (src, t, { ssh }) => {
      if (src.format === 'sql') return `${decodeCommand(src)} | ${onHost(ssh, `docker exec -i ${sh(t.target)} psql -X -U postgres -d postgres`)}`;
      const db = src.origin.database ?? 'postgres';
      return `${decodeCommand(src)} | ${onHost(ssh, `docker exec -i ${sh(t.target)} pg_restore -U postgres -d ${sh(dbnameConninfo(db))} --clean --if-exists --single-transaction`)}`;
    },
    verifyCommands: (src, t, { ssh }) => {
      const expected: Record<string, Record<string, number>> = { ...(src.databaseRowCounts ?? {}) };
      if (src.rowCounts) expected[src.origin.database ?? 'postgres'] = src.rowCounts;
      return Object.entries(expected).flatMap(([db, tables]) =>
        Object.entries(tables).map(([table, n]) => onHost(ssh, `docker exec ${sh(t.target)} psql -U postgres -d ${sh(dbnameConninfo(db))} -Atc ${sh(`SELECT count(*) FROM ${pgTable(table)}`)}`) + `   # ${n}`),
      );
    },
  },
  restoring: {
    copyFormat: 'sql',
    load: async ({ engine, src, target, stream, signal }) => {
      // A dump of all is SQL for psql; one database's is pg_dump's custom format for pg_restore.
      const mode = src.format === 'sql' ? ('dumpall' as const) : ('database' as const);
      await loadPostgresDump({ engine, container: target, input: stream, mode, ...(mode === 'database' ? { database: src.origin.database ?? 'postgres' } : {}), ...(signal ? { signal } : {}) });
      return {};
    },
    openCurrent: async ({ engine, target, signal }) => ({ stream: (await openPostgresDump({ engine, container: target, mode: 'dumpall', ...(signal ? { signal } : {}) })).stream }),
    putBack: ({ engine, target, stream }) => loadPostgresDump({ engine, container: target, input: stream, mode: 'dumpall' }),
    databases: {
      list: (engine, container, signal) => postgresDatabases({ engine, container, ...(signal ? { signal } : {}) }),
      drop: (engine, container, database) => postgresDropDatabase({ engine, container, database }),
      rowChecks: rowCountChecks,
    },
  },
};
