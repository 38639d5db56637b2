import { Boxes } from 'lucide-react';
import type { Host, Inventory } from '../../shared/contract/index.js';
import { EmptyState } from '../components';
import { StackGroup } from './StackGroup';

/**
 * One table for every container, one <tbody> per compose stack, so columns line up across stacks.
 * Named stacks first (alphabetically), the loose containers last.
 */
export function ContainersTable({ host, inventory }: { host: Host; inventory: Inventory }) {
  if (inventory.containers.length === 0) {
    return (
      <EmptyState icon={<Boxes size={28} />} title="No containers on this host">
        Containers appear here as soon as Docker creates them — including stopped ones.
      </EmptyState>
    );
  }
  const byId = new Map(inventory.containers.map((c) => [c.id, c]));
  const stacks = [...inventory.stacks].sort((a, b) => (a.name === null ? 1 : b.name === null ? -1 : a.name.localeCompare(b.name)));
  return (
    <div className="table-wrap">
      <table className="table containers-table" aria-label="Containers">
        <colgroup>
          <col style={{ width: '20%' }} />
          <col style={{ width: '13%' }} />
          <col style={{ width: '25%' }} />
          <col />
          <col style={{ width: '250px' }} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Container</th>
            <th scope="col">State</th>
            <th scope="col">Image</th>
            <th scope="col">Status</th>
            <th scope="col" className="align-right">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        {stacks.map((s) => {
          const containers = s.containerIds.flatMap((id) => byId.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name));
          return containers.length ? <StackGroup key={s.name ?? '(none)'} host={host} stack={s} containers={containers} /> : null;
        })}
      </table>
    </div>
  );
}
