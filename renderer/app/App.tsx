import { useEffect, useState } from 'react';
import { PlugZap } from 'lucide-react';
import { Button, EmptyState, OperationNoticeStack, Spinner, Toasts } from '../components';
import { HostDialogs } from '../hosts/HostDialogs';
import { ConfirmActionDialog } from '../inventory/ConfirmActionDialog';
import { LogsDrawer } from '../logs/LogsDrawer';
import { useLogsStore } from '../logs/useLogsStore';
import { InterruptedBanner } from '../operations/InterruptedBanner';
import { useOperationNoticesStore } from '../operations/useOperationNoticesStore';
import { errorDetail } from './errors';
import { Page } from './Pages';
import { Sidebar } from './Sidebar';
import { useBackendEvents } from './useBackendEvents';
import { usePlanRunWatcher } from '../backups/usePlanRunWatcher';
import { useConnectionStore } from './useConnectionStore';
import { useRouteStore } from './useRouteStore';
import { useToastStore } from './useToastStore';

/** Transport reasons come in lower case ("the backend refused…"); shown alone they need a capital. */
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function Main() {
  const route = useRouteStore((s) => s.route);
  const logsOpen = useLogsStore((s) => !!s.target);
  const maximized = useLogsStore((s) => s.maximized);
  return (
    <main className={logsOpen ? (maximized ? 'main has-drawer drawer-max' : 'main has-drawer') : 'main'}>
      <div className="main-scroll">
        <InterruptedBanner />
        <Page route={route} />
      </div>
      <LogsDrawer />
    </main>
  );
}

export function App() {
  const { state, start, connect } = useConnectionStore();
  const [appVersion, setAppVersion] = useState<string | null>(null);
  const toasts = useToastStore();
  const notices = useOperationNoticesStore();
  const client = state.status === 'ready' ? state.client : null;
  useBackendEvents(client);
  usePlanRunWatcher(client);

  useEffect(() => start(), [start]); // main.tsx started it already: a no-op then
  useEffect(() => {
    client?.system.info().then((i) => setAppVersion(i.appVersion), () => {});
  }, [client]);

  if (state.status !== 'ready') {
    return (
      <div className="connect-screen">
        {state.status === 'connecting' ? (
          <div className="loading-row">
            <Spinner /> Connecting to the Hindsight backend…
          </div>
        ) : (
          <EmptyState
            icon={<PlugZap size={32} />}
            title={state.lost ? 'Lost the connection to the Hindsight backend' : 'Cannot reach the Hindsight backend'}
            actions={<Button onClick={() => void connect()}>{state.lost ? 'Reconnect' : 'Try again'}</Button>}
          >
            {state.lost ? (
              <p>The web host may have stopped, or this computer slept. Reconnect when it runs again.</p>
            ) : (
              <>
                <p>{sentence(state.error.detail ?? state.error.message)}</p>
                <p className="text-faint">In a browser, open the full address the server printed — it carries the access token.</p>
              </>
            )}
            <details className="banner-details">
              <summary>Details</summary>
              <pre>{errorDetail(state.error)}</pre>
            </details>
          </EmptyState>
        )}
      </div>
    );
  }

  return (
    <div className="app">
      <Sidebar appVersion={appVersion} />
      <Main />
      <HostDialogs />
      <ConfirmActionDialog />
      <Toasts toasts={toasts.toasts} onDismiss={toasts.dismiss} />
      <OperationNoticeStack notices={notices.notices} onDismiss={notices.dismiss} />
    </div>
  );
}
