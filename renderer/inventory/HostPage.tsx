import { useEffect } from 'react';
import { DatabaseBackup, Pencil, RefreshCw, Trash2 } from 'lucide-react';
import { Button, Card, EmptyState, ErrorBanner, IconButton, Spinner } from '../components';
import { errorDetail } from '../app/errors';
import { formatTime, pluralize } from '../app/format';
import { useRouteStore } from '../app/useRouteStore';
import { AgentCard } from '../agent/AgentCard';
import { BackupDialogHost } from '../backups/BackupDialog';
import { useBackupDialogStore } from '../backups/useBackupDialogStore';
import { describeConnection } from '../hosts/hostForm';
import { HostConnectionStatus } from '../hosts/HostConnectionStatus';
import { ProtectedIcon, RoleBadge } from '../hosts/RoleBadge';
import { useHostDialogsStore } from '../hosts/useHostDialogsStore';
import { isCheckStale, useHostsStore } from '../hosts/useHostsStore';
import { ContainersTable } from './ContainersTable';
import { useInventoryStore } from './useInventoryStore';
import { VolumesTable } from './VolumesTable';

/** A host's page: connection, containers by stack, volumes. Kept fresh by inventory.onChanged. */
export function HostPage({ hostId }: { hostId: string }) {
  const host = useHostsStore((s) => s.hosts.find((h) => h.id === hostId));
  const loaded = useHostsStore((s) => s.loaded);
  const entry = useInventoryStore((s) => s.byHost[hostId]);
  const load = useInventoryStore((s) => s.load);
  const { openEdit, openRemove } = useHostDialogsStore();
  const navigate = useRouteStore((s) => s.navigate);

  // Once per host page (and again if the host appears after the list loads): no polling.
  const hostKnown = !!host;
  useEffect(() => {
    if (!hostKnown) return;
    void load(hostId);
    const { checks, check } = useHostsStore.getState();
    if (isCheckStale(checks[hostId])) void check(hostId);
  }, [hostId, hostKnown, load]);

  if (!host) {
    return (
      <div className="page">
        {loaded ? (
          <EmptyState title="This host does not exist (any more)" actions={<Button onClick={() => navigate({ page: 'overview' })}>Back to hosts</Button>}>
            It may have been removed in another window.
          </EmptyState>
        ) : (
          <div className="loading-row">
            <Spinner /> Loading…
          </div>
        )}
      </div>
    );
  }

  const inv = entry?.data;
  const running = inv?.containers.filter((c) => c.state === 'running').length ?? 0;

  return (
    <div className="page">
      <header className="page-header">
        <div className="page-heading">
          <div className="page-title-row">
            <h1 className="page-title">{host.name}</h1>
            <RoleBadge role={host.role} />
            {host.protected && <ProtectedIcon size={15} />}
          </div>
          <p className="page-subtitle mono">{describeConnection(host.connection)}</p>
        </div>
        <div className="page-actions">
          <IconButton label="Refresh inventory" icon={<RefreshCw size={15} />} pending={entry?.loading} onClick={() => void load(hostId, true)} variant="secondary" />
          <Button variant="primary" icon={<DatabaseBackup size={14} />} onClick={() => useBackupDialogStore.getState().open({ host })}>
            Back up…
          </Button>
          <Button icon={<Pencil size={14} />} onClick={() => openEdit(host.id)}>
            Edit
          </Button>
          <Button icon={<Trash2 size={14} />} variant="ghost" className="btn-danger-text" onClick={() => openRemove(host.id)}>
            Remove
          </Button>
        </div>
      </header>

      <HostConnectionStatus host={host} />

      <AgentCard host={host} />

      {entry?.error && (
        <ErrorBanner
          title={inv ? 'Could not refresh the inventory — showing the last one' : `Could not read the containers of ${host.name}`}
          detail={errorDetail(entry.error)}
          actions={<Button onClick={() => void load(hostId, true)}>Try again</Button>}
        >
          {entry.error.message}
        </ErrorBanner>
      )}

      {!inv ? (
        !entry?.error && (
          <div className="loading-row">
            <Spinner /> Reading containers and volumes…
          </div>
        )
      ) : (
        <>
          <div className="summary-line">
            {pluralize(inv.containers.length, 'container')} · {running} running · {pluralize(inv.volumes.length, 'volume')}
            <span className="text-faint"> · updated {formatTime(inv.fetchedAt)}</span>
          </div>
          <Card title="Containers" flush>
            <ContainersTable host={host} inventory={inv} />
          </Card>
          <Card title="Volumes" flush>
            <VolumesTable volumes={inv.volumes} />
          </Card>
        </>
      )}
      <BackupDialogHost />
    </div>
  );
}
