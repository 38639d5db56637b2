import { HostsOverview } from '../hosts/HostsOverview';
import { HostPage } from '../inventory/HostPage';
import { OperationPage } from '../operations/OperationPage';
import { OperationsPage } from '../operations/OperationsPage';
import { BackupsPage } from '../backups/BackupsPage';
import { RepositoriesPage } from '../repositories/RepositoriesPage';
import { RestoreWizard } from '../restore/RestoreWizard';
import { SnapshotPage } from '../snapshots/SnapshotPage';
import { SnapshotsPage } from '../snapshots/SnapshotsPage';
import type { Route } from './useRouteStore';

/** One route → one page; each feature folder owns its pages. */
export function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'host':
      return <HostPage key={route.hostId} hostId={route.hostId} />;
    case 'snapshots':
      return <SnapshotsPage repositoryId={route.repositoryId} />;
    case 'snapshot':
      return <SnapshotPage key={`${route.repositoryId}/${route.snapshotId}`} repositoryId={route.repositoryId} snapshotId={route.snapshotId} />;
    case 'restore':
      return <RestoreWizard repositoryId={route.repositoryId} snapshotId={route.snapshotId} asOf={route.asOf} />;
    case 'operations':
      return <OperationsPage />;
    case 'operation':
      return <OperationPage key={route.id} id={route.id} />;
    case 'repositories':
      return <RepositoriesPage />;
    case 'backups':
      return <BackupsPage />;
    default:
      return <HostsOverview />;
  }
}
