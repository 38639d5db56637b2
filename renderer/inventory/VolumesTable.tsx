import { HardDrive } from 'lucide-react';
import type { Volume } from '../../shared/contract/index.js';
import { EmptyState, Table, type Column } from '../components';
import { formatBytes } from '../app/format';

const columns: Column<Volume>[] = [
  { key: 'name', header: 'Volume', render: (v) => <span className="cell-name mono">{v.name}</span> },
  { key: 'stack', header: 'Stack', render: (v) => v.project ?? <span className="text-faint">—</span> },
  { key: 'driver', header: 'Driver', render: (v) => v.driver, width: '110px' },
  { key: 'size', header: 'Size', align: 'right', mono: true, width: '110px', render: (v) => formatBytes(v.sizeBytes) },
  {
    key: 'used',
    header: 'Used by',
    render: (v) =>
      v.usedBy.length ? (
        <div className="chips">
          {v.usedBy.map((n) => (
            <span key={n} className="chip mono">
              {n}
            </span>
          ))}
        </div>
      ) : (
        <span className="text-faint">not in use</span>
      ),
  },
];

export function VolumesTable({ volumes }: { volumes: Volume[] }) {
  const sorted = [...volumes].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <Table
      label="Volumes"
      columns={columns}
      rows={sorted}
      rowKey={(v) => v.name}
      rowLabel={(v) => v.name}
      empty={
        <EmptyState icon={<HardDrive size={28} />} title="No volumes on this host">
          Named Docker volumes will be listed here, with the containers that use them.
        </EmptyState>
      }
    />
  );
}
