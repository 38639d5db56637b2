import { History } from 'lucide-react';
import { HostList } from '../hosts/HostList';
import { runningCount, useOperationsStore } from '../operations/useOperationsStore';
import { AppNav } from './AppNav';
import { ThemeToggle } from './ThemeToggle';
import { useRouteStore } from './useRouteStore';

export function Sidebar({ appVersion }: { appVersion: string | null }) {
  const navigate = useRouteStore((s) => s.navigate);
  const overview = useRouteStore((s) => s.route.page === 'overview');
  const running = useOperationsStore((s) => runningCount(s.list));
  // Other sections add their badges here (e.g. the number of running operations).
  return (
    <aside className="sidebar">
      <a
        href="#/"
        className="brand"
        aria-current={overview ? 'page' : undefined}
        onClick={(e) => {
          e.preventDefault();
          navigate({ page: 'overview' });
        }}
      >
        <span className="brand-mark" aria-hidden>
          <History size={16} />
        </span>
        <span className="brand-name">Hindsight</span>
      </a>
      <AppNav badges={running > 0 ? { operations: <span data-testid="running-operations" title={`${running} running`}>{running}</span> } : {}} />
      <HostList />
      <footer className="sidebar-footer">
        <ThemeToggle />
        {appVersion && <span className="sidebar-version">v{appVersion}</span>}
      </footer>
    </aside>
  );
}
