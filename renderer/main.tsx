import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installTheme } from './app/useThemeStore';
import { getClient } from './api/client';
import { useConnectionStore } from './app/useConnectionStore';
import { parseRoute } from './app/routes';
import { askEarly } from './snapshots/recentSnapshots';
import './styles/tokens.css';
import './styles/base.css';
import './styles/components.css';
import './styles/app.css';
import './styles/operations.css';
import './styles/backups.css';
import './styles/agent.css';
import './styles/snapshots.css';
import './styles/restore.css';
import './styles/trust.css';
import './styles/repositories.css';

performance.mark('hindsight-script-evaluated'); // bench/ui: the bundle fetched, parsed and its modules run
installTheme();
// The connection (usually opened by the early start while this bundle was on its way:
// api/early-start.ts) is taken before React's first render: when it is up already, that render is
// the app's, not the "Connecting…" screen. A cold open of a repository's timeline asks for its
// newest snapshots as soon as the connection is up (snapshots/recentSnapshots.ts). bench/ui measures it.
const route = parseRoute(window.location.hash);
useConnectionStore.getState().start();
void getClient().then(
  (client) => {
    if (route.page === 'snapshots' && route.repositoryId) askEarly(client, route.repositoryId);
  },
  () => undefined, // the connection store reports it
);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
