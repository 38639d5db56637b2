import { Archive, Server } from 'lucide-react';
import { Button, EmptyState } from '../components';
import { useRouteStore } from '../app/useRouteStore';

/** Only the built-in repository, and nothing in it yet: say where backups go by default. */
export function NoRepositoryState() {
  const navigate = useRouteStore((s) => s.navigate);
  return (
    <EmptyState
      icon={<Archive size={28} />}
      title="No backups yet"
      actions={
        <Button variant="primary" icon={<Server size={14} />} onClick={() => navigate({ page: 'overview' })}>
          Back up a host
        </Button>
      }
    >
      You have not added a repository, so Hindsight keeps backups in its <strong>local default repository</strong> — a folder in
      the app's data directory on this machine. It is ready to use: back up a host and its snapshots appear here by date. Add an
      S3 bucket or an SFTP server later to keep copies off this machine.
    </EmptyState>
  );
}

/** A repository with no snapshot in it. */
export function NoSnapshotsState({ repository }: { repository: string | null }) {
  const navigate = useRouteStore((s) => s.navigate);
  return (
    <EmptyState
      icon={<Archive size={28} />}
      title={repository ? `No snapshots in ${repository} yet` : 'No snapshots yet'}
      actions={
        <Button variant="primary" icon={<Server size={14} />} onClick={() => navigate({ page: 'overview' })}>
          Back up a host
        </Button>
      }
    >
      A snapshot is written each time a host's volumes and databases are backed up. Open a host to back it up; the snapshot
      shows here, on the day it was taken.
    </EmptyState>
  );
}
