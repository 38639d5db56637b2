import { FileInput, Plus, ServerOff } from 'lucide-react';
import type { Host } from '../../shared/contract/index.js';
import { Button, EmptyState, ErrorBanner, Spinner, StatusDot } from '../components';
import { errorDetail } from '../app/errors';
import { useRouteStore } from '../app/useRouteStore';
import { describeConnection } from './hostForm';
import { LocalEngineCard } from './LocalEngineCard';
import { ProtectedIcon, RoleBadge } from './RoleBadge';
import { useHostDialogsStore } from './useHostDialogsStore';
import { describeCheck, useHostsStore } from './useHostsStore';

function HostCard({ host }: { host: Host }) {
  const check = useHostsStore((s) => s.checks[host.id]);
  const navigate = useRouteStore((s) => s.navigate);
  const status = describeCheck(check, host);
  return (
    <button type="button" className="host-card" onClick={() => navigate({ page: 'host', hostId: host.id })} aria-label={`Open ${host.name}`}>
      <div className="host-card-top">
        <StatusDot tone={status.tone} label={status.label} pulsing={status.pulsing} />
        <span className="host-card-name">{host.name}</span>
        {host.protected && <ProtectedIcon />}
        <RoleBadge role={host.role} />
      </div>
      <div className="host-card-conn mono">{describeConnection(host.connection)}</div>
      <div className="host-card-status">{status.label}</div>
    </button>
  );
}

/** The landing page: every host at a glance, or what to do when there are none. */
export function HostsOverview() {
  const { hosts, loaded, error, load } = useHostsStore();
  const { openAdd, openImport } = useHostDialogsStore();

  const actions = (
    <>
      <Button variant="primary" icon={<Plus size={14} />} onClick={() => openAdd()}>
        Add host
      </Button>
      <Button icon={<FileInput size={14} />} onClick={openImport}>
        Import from SSH config
      </Button>
    </>
  );

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 className="page-title">Hosts</h1>
          <p className="page-subtitle">The Docker engines Hindsight can back up and restore.</p>
        </div>
        {hosts.length > 0 && <div className="page-actions">{actions}</div>}
      </header>
      {error && (
        <ErrorBanner title="Could not load the hosts" detail={errorDetail(error)} actions={<Button onClick={() => void load()}>Retry</Button>}>
          {error.message}
        </ErrorBanner>
      )}
      <LocalEngineCard />
      {!loaded && !error ? (
        <div className="loading-row">
          <Spinner /> Loading hosts…
        </div>
      ) : loaded && hosts.length === 0 ? (
        <EmptyState icon={<ServerOff size={32} />} title="No hosts yet — add one" actions={actions}>
          Add a machine by its SSH address, or import the entries of your <code>~/.ssh/config</code>.
        </EmptyState>
      ) : (
        <div className="host-grid">
          {hosts.map((h) => (
            <HostCard key={h.id} host={h} />
          ))}
        </div>
      )}
    </div>
  );
}
