import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installTheme } from './app/useThemeStore';
import { getClient } from './api/client';
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
// The connection's handshake overlaps React's first render (getClient() shares the one attempt
// with the App's own connect()), and a cold open of a repository's timeline asks for its newest
// snapshots as soon as it is up (snapshots/recentSnapshots.ts): a cold open waits less (bench/ui).
const route = parseRoute(window.location.hash);
void getClient().then(
  (client) => {
    if (route.page === 'snapshots' && route.repositoryId) askEarly(client, route.repositoryId);
  },
  () => undefined, // the App's own connect() reports it
);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
