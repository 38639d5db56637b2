/** A PostgreSQL container: a dump of every database (SQL, psql) or of one (pg_dump -Fc, pg_restore). */
import type { KindModule } from '../kind-module.js';
import { dbnameConninfo, sqlIdentifier } from '../../sources/commands.js';
import { compressedCopy, decodeCommand, onHost, sh } from '../shell.js';
import { loadPostgresDump, openPostgresDump } from '../../sources/index.js';
import { databasesOf, dropNewDatabases, rowCountChecks } from '../../restore/db-state.js';

/** A manifest's row-count key ("table", or "schema.table" outside public) as a quoted SQL name. */
export function pgTable(key: string): string {
  const dot = key.indexOf('.');
  return dot === -1 ? sqlIdentifier(key) : `${sqlIdentifier(key.slice(0, dot))}.${sqlIdentifier(key.slice(dot + 1))}`;
}

export const postgresKind: KindModule<'postgres'> = {
  kind: 'postgres',
  planning: {
    targetKind: 'container',
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
      list: (engine, container, signal) => databasesOf(engine, 'postgres', container, signal),
      dropNew: (engine, container, before) => dropNewDatabases(engine, 'postgres', container, before),
      rowChecks: rowCountChecks,
    },
  },
};
