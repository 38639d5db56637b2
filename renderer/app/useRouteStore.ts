import { create } from 'zustand';

/**
 * Routing by the URL hash: "#/" is the hosts overview, "#/hosts/<id>" a host's page. The hash
 * survives reloads, works under file:// (Electron) and leaves the web mode's ?token= untouched.
 */
export type Route = { page: 'overview' } | { page: 'host'; hostId: string };

function parse(hash: string): Route {
  const m = /^#\/hosts\/([^/?#]+)/.exec(hash);
  return m?.[1] ? { page: 'host', hostId: decodeURIComponent(m[1]) } : { page: 'overview' };
}

function format(route: Route): string {
  return route.page === 'host' ? `#/hosts/${encodeURIComponent(route.hostId)}` : '#/';
}

interface RouteStore {
  route: Route;
  navigate(route: Route): void;
}

export const useRouteStore = create<RouteStore>((set) => ({
  route: parse(window.location.hash),
  navigate(route) {
    const hash = format(route);
    if (window.location.hash !== hash) window.location.hash = hash;
    set({ route });
  },
}));

window.addEventListener('hashchange', () => useRouteStore.setState({ route: parse(window.location.hash) }));
