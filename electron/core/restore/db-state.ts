/**
 * The database side of a restore, per server kind: which databases a target holds (recorded before
 * a restore, so a rollback can drop the ones the failed restore created — loading the safety copy
 * alone puts back what existed but leaves new databases behind), and the row-count checks of the
 * verification against the manifest.
 */
import type { SourceCheck } from '../../../shared/contract/restore.js';
import type { ManifestSource } from '../../../shared/contract/snapshots.js';
import type { Engine } from '../docker/engine.js';
import { mariadbDatabases, mariadbDropDatabase, mariadbRowCounts, postgresDatabases, postgresDropDatabase, postgresRowCounts } from '../sources/index.js';

export type DatabaseKind = 'postgres' | 'mariadb';

export function isDatabaseKind(kind: string): kind is DatabaseKind {
  return kind === 'postgres' || kind === 'mariadb';
}

export async function databasesOf(engine: Engine, kind: DatabaseKind, container: string, signal?: AbortSignal): Promise<string[]> {
  const t = { engine, container, ...(signal ? { signal } : {}) };
  return kind === 'postgres' ? postgresDatabases(t) : mariadbDatabases(t);
}

/** The databases in `now` that were not in `before` (what a failed restore created). */
export function newDatabases(before: string[], now: string[]): string[] {
  const had = new Set(before);
  return now.filter((d) => !had.has(d));
}

/** Drops the databases created since `before` was taken; returns their names. Never tied to a signal (a rollback). */
export async function dropNewDatabases(engine: Engine, kind: DatabaseKind, container: string, before: string[]): Promise<string[]> {
  const created = newDatabases(before, await databasesOf(engine, kind, container));
  for (const database of created) {
    if (kind === 'postgres') await postgresDropDatabase({ engine, container, database });
    else await mariadbDropDatabase({ engine, container }, database);
  }
  return created;
}

/** Row counts of the restored target against the manifest's, one check per table. */
export async function rowCountChecks(engine: Engine, src: ManifestSource, target: string, signal?: AbortSignal): Promise<SourceCheck['checks']> {
  // rowCounts: the one database origin.database names; databaseRowCounts: every database of a dump of all.
  const expected: Record<string, Record<string, number>> = { ...(src.databaseRowCounts ?? {}) };
  if (src.rowCounts) expected[src.origin.database ?? 'postgres'] = src.rowCounts;
  const sig = signal ? { signal } : {};
  const checks: SourceCheck['checks'] = [];
  const all = src.kind === 'mariadb' && Object.keys(expected).length ? await mariadbRowCounts({ engine, container: target, ...sig }) : undefined;
  for (const [database, tables] of Object.entries(expected)) {
    const actual = all ? (all[database] ?? {}) : await postgresRowCounts({ engine, container: target, database, ...sig });
    for (const [table, n] of Object.entries(tables)) {
      checks.push({ name: `rows ${database}.${table}`, ok: actual[table] === n, expected: String(n), actual: actual[table] === undefined ? 'missing' : String(actual[table]) });
    }
  }
  return checks;
}
