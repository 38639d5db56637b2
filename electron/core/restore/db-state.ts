/**
 * The database side of a restore, per server kind: which databases a target holds (recorded before
 * a restore, so a rollback can drop the ones the failed restore created — loading the safety copy
 * alone puts back what existed but leaves new databases behind), and the row-count checks of the
 * verification against the manifest.
 */
import type { SourceCheck } from '../../../shared/contract/restore.js';
import type { ManifestSource } from '../../../shared/contract/snapshots.js';
import type { Engine } from '../docker/engine.js';
import { mariadbRowCounts, postgresRowCounts } from '../sources/index.js';

/** What a database server's kind module says about it (kinds/<kind>: restoring.databases). */
export interface DatabaseServer {
  list(engine: Engine, container: string, signal?: AbortSignal): Promise<string[]>;
  drop(engine: Engine, container: string, database: string): Promise<void>;
}

/** The databases in `now` that were not in `before` (what a failed restore created). */
export function newDatabases(before: string[], now: string[]): string[] {
  const had = new Set(before);
  return now.filter((d) => !had.has(d));
}

/** Drops the databases created since `before` was taken; returns their names. Never tied to a signal (a rollback). */
export async function dropNewDatabases(server: DatabaseServer, engine: Engine, container: string, before: string[]): Promise<string[]> {
  const created = newDatabases(before, await server.list(engine, container));
  for (const database of created) await server.drop(engine, container, database);
  return created;
}

export interface ExpectedRows {
  /** {"<database>": {"<table>": n}}: what the restored target is checked against. */
  byDatabase: Record<string, Record<string, number>>;
  /** Counts the manifest has but that cannot be compared (no database to look in), with why. */
  unchecked: Array<{ key: string; rows: number; why: string }>;
}

/**
 * The row counts a restore is checked against, per database (pure). `databaseRowCounts`: every
 * database of a dump of all; `rowCounts`: the one database `origin.database` names. A PostgreSQL
 * dump of all from an older version (before databaseRowCounts) kept `rowCounts` with keys
 * "<database>/<table>" and no origin.database: those are read as such (looking for table
 * "shop/orders" in database "postgres" reported every row "missing"); a key of such a manifest
 * without a database part is listed as unchecked, never as missing.
 */
export function expectedRowCounts(
  src: Pick<ManifestSource, 'kind' | 'format' | 'rowCounts' | 'databaseRowCounts'> & { origin: Pick<ManifestSource['origin'], 'database'> },
): ExpectedRows {
  const byDatabase: Record<string, Record<string, number>> = {};
  for (const [db, tables] of Object.entries(src.databaseRowCounts ?? {})) byDatabase[db] = { ...tables };
  const unchecked: ExpectedRows['unchecked'] = [];
  if (!src.rowCounts) return { byDatabase, unchecked };
  const legacyDumpAll = src.kind === 'postgres' && src.format === 'sql' && !src.origin.database;
  if (!legacyDumpAll) {
    byDatabase[src.origin.database ?? 'postgres'] = { ...byDatabase[src.origin.database ?? 'postgres'], ...src.rowCounts };
    return { byDatabase, unchecked };
  }
  for (const [key, rows] of Object.entries(src.rowCounts)) {
    const slash = key.indexOf('/');
    if (slash > 0 && slash < key.length - 1) (byDatabase[key.slice(0, slash)] ??= {})[key.slice(slash + 1)] = rows;
    else unchecked.push({ key, rows, why: 'not checked: this older manifest does not say which database the table is in' });
  }
  return { byDatabase, unchecked };
}

/**
 * Row counts of the restored target against the manifest's, one check per table; a count that
 * cannot be compared is a passing check whose `actual` says "not checked" and why.
 */
export async function rowCountChecks(engine: Engine, src: ManifestSource, target: string, signal?: AbortSignal): Promise<SourceCheck['checks']> {
  const { byDatabase: expected, unchecked } = expectedRowCounts(src);
  const sig = signal ? { signal } : {};
  const checks: SourceCheck['checks'] = [];
  const all = src.kind === 'mariadb' && Object.keys(expected).length ? await mariadbRowCounts({ engine, container: target, ...sig }) : undefined;
  for (const [database, tables] of Object.entries(expected)) {
    const actual = all ? (all[database] ?? {}) : await postgresRowCounts({ engine, container: target, database, ...sig });
    for (const [table, n] of Object.entries(tables)) {
      checks.push({ name: `rows ${database}.${table}`, ok: actual[table] === n, expected: String(n), actual: actual[table] === undefined ? 'missing' : String(actual[table]) });
    }
  }
  for (const u of unchecked) checks.push({ name: `rows ${u.key}`, ok: true, expected: String(u.rows), actual: u.why });
  return checks;
}
