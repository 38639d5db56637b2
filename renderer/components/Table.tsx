import type { ReactNode } from 'react';
import { cx } from './cx';

export interface Column<T> {
  key: string;
  header: ReactNode;
  render: (row: T) => ReactNode;
  align?: 'left' | 'right';
  width?: string;
  /** Monospace, muted: ids, sizes, paths. */
  mono?: boolean;
}

interface TableProps<T> {
  label: string;
  columns: ReadonlyArray<Column<T>>;
  rows: ReadonlyArray<T>;
  rowKey: (row: T) => string;
  empty?: ReactNode;
  rowLabel?: (row: T) => string;
}

export function Table<T>({ label, columns, rows, rowKey, empty, rowLabel }: TableProps<T>) {
  if (rows.length === 0 && empty) return <>{empty}</>;
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} style={c.width ? { width: c.width } : undefined} className={cx(c.align === 'right' && 'align-right')} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)} aria-label={rowLabel?.(r)}>
              {columns.map((c) => (
                <td key={c.key} className={cx(c.align === 'right' && 'align-right', c.mono && 'mono')}>
                  {c.render(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
