import { Activity, Archive, CalendarClock, Clock, RotateCcw, Server } from 'lucide-react';
import type { ReactNode } from 'react';
import { cx } from '../components';
import { useRouteStore, type PageName, type Route } from './useRouteStore';

interface NavItem {
  label: string;
  icon: ReactNode;
  to: Route;
  /** The pages that light this item up. */
  pages: PageName[];
}

const items: NavItem[] = [
  { label: 'Hosts', icon: <Server size={15} />, to: { page: 'overview' }, pages: ['overview'] },
  { label: 'Backups', icon: <CalendarClock size={15} />, to: { page: 'backups' }, pages: ['backups'] },
  { label: 'Snapshots', icon: <Clock size={15} />, to: { page: 'snapshots' }, pages: ['snapshots', 'snapshot'] },
  { label: 'Restore', icon: <RotateCcw size={15} />, to: { page: 'restore' }, pages: ['restore'] },
  { label: 'Operations', icon: <Activity size={15} />, to: { page: 'operations' }, pages: ['operations', 'operation'] },
  { label: 'Repositories', icon: <Archive size={15} />, to: { page: 'repositories' }, pages: ['repositories'] },
];

/** The sidebar's main sections; hosts are listed below it. `badge` shows e.g. running operations. */
export function AppNav({ badges = {} }: { badges?: Partial<Record<PageName, ReactNode>> }) {
  const route = useRouteStore((s) => s.route);
  const navigate = useRouteStore((s) => s.navigate);
  return (
    <nav className="app-nav" aria-label="Sections">
      <ul>
        {items.map((item) => {
          const active = item.pages.includes(route.page);
          const badge = badges[item.to.page];
          return (
            <li key={item.label}>
              <a
                href={`#/${item.to.page === 'overview' ? '' : item.to.page}`}
                className={cx('app-nav-item', active && 'is-active')}
                aria-current={active ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(item.to);
                }}
              >
                <span className="app-nav-icon" aria-hidden>
                  {item.icon}
                </span>
                <span className="app-nav-label">{item.label}</span>
                {badge !== undefined && <span className="app-nav-badge">{badge}</span>}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
