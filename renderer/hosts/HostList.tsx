import { FileInput, Plus } from 'lucide-react';
import { IconButton, Spinner, StatusDot, cx } from '../components';
import { useRouteStore } from '../app/useRouteStore';
import { ProtectedIcon, RoleBadge } from './RoleBadge';
import { useHostDialogsStore } from './useHostDialogsStore';
import { describeCheck, useHostsStore } from './useHostsStore';

/** The sidebar's host navigation: one row per host with its status, role and protection. */
export function HostList() {
  const { hosts, loaded, checks } = useHostsStore();
  const route = useRouteStore((s) => s.route);
  const navigate = useRouteStore((s) => s.navigate);
  const { openAdd, openImport } = useHostDialogsStore();

  return (
    <nav className="host-nav" aria-label="Hosts">
      <div className="sidebar-section-header">
        <span>Hosts</span>
        <div className="sidebar-section-actions">
          <IconButton label="Import from SSH config" icon={<FileInput size={15} />} size="sm" onClick={openImport} />
          <IconButton label="Add host" icon={<Plus size={16} />} size="sm" onClick={() => openAdd()} />
        </div>
      </div>
      {!loaded ? (
        <div className="host-nav-empty">
          <Spinner size={12} /> Loading…
        </div>
      ) : hosts.length === 0 ? (
        <div className="host-nav-empty">No hosts yet.</div>
      ) : (
        <ul className="host-nav-list">
          {hosts.map((h) => {
            const active = route.page === 'host' && route.hostId === h.id;
            const status = describeCheck(checks[h.id], h);
            return (
              <li key={h.id}>
                <a
                  href={`#/hosts/${encodeURIComponent(h.id)}`}
                  className={cx('host-nav-item', active && 'is-active')}
                  aria-current={active ? 'page' : undefined}
                  aria-label={`${h.name}, ${h.role}${h.protected ? ', protected' : ''}: ${status.label}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate({ page: 'host', hostId: h.id });
                  }}
                >
                  <StatusDot tone={status.tone} label={status.label} pulsing={status.pulsing} />
                  <span className="host-nav-name">{h.name}</span>
                  {h.protected && <ProtectedIcon size={12} />}
                  <RoleBadge role={h.role} />
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
