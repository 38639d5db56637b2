import { create } from 'zustand';
import { formatRoute, parseRoute, type Route } from './routes';

export type { PageName, Route } from './routes';

interface RouteStore {
  route: Route;
  navigate(route: Route): void;
}

export const useRouteStore = create<RouteStore>((set) => ({
  route: parseRoute(window.location.hash),
  navigate(route) {
    const hash = formatRoute(route);
    if (window.location.hash !== hash) window.location.hash = hash;
    set({ route });
  },
}));

window.addEventListener('hashchange', () => useRouteStore.setState({ route: parseRoute(window.location.hash) }));
