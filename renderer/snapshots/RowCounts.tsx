import type { Manifest } from '../../shared/contract/index.js';
import { Card } from '../components';

type Source = Manifest['sources'][number];

/** Exact per-table row counts taken at dump time: per database for a whole-cluster dump. */
export function RowCounts({ source }: { source: Source }) {
  const groups: [string, Record<string, number>][] = source.databaseRowCounts
    ? Object.entries(source.databaseRowCounts)
    : source.rowCounts
      ? [[source.origin.database ?? source.name, source.rowCounts]]
      : [];
  if (!groups.length) return null;
  // Databases without tables (the "postgres" maintenance database) in one line at the end.
  const empty = groups.filter(([, tables]) => Object.keys(tables).length === 0).map(([db]) => db);
  const full = groups.filter(([, tables]) => Object.keys(tables).length > 0);
  return (
    <Card title={`Row counts — ${source.name}`} flush data-testid="row-counts">
      {full.map(([db, tables]) => {
        const entries = Object.entries(tables).sort(([a], [b]) => a.localeCompare(b));
        const total = entries.reduce((n, [, c]) => n + c, 0);
        return (
          <div key={db} className="rowcount-db" data-testid="rowcount-db" data-database={db}>
            <div className="rowcount-db-title">
              <span>database <strong>{db}</strong></span>
              <span className="text-faint">{entries.length} tables · {total.toLocaleString()} rows</span>
            </div>
            <table className="table rowcount-table" aria-label={`Row counts of ${db}`}>
                <tbody>
                  {entries.map(([table, n]) => (
                    <tr key={table}>
                      <td className="mono">{table}</td>
                      <td className="align-right mono">{n.toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
            </table>
          </div>
        );
      })}
      {empty.length > 0 && <div className="text-faint rowcount-empty">Also in the dump, with no tables: {empty.join(', ')}</div>}
    </Card>
  );
}
