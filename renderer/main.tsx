import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installTheme } from './app/useThemeStore';
import { getClient } from './api/client';
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

installTheme();
// The connection's handshake overlaps React's first render (getClient() shares the one attempt
// with the App's own connect()): a cold open waits for the backend less (bench/ui).
void getClient().catch(() => undefined);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
