import { create } from 'zustand';
import type { Client } from '../../shared/contract/index.js';
import { getClient, onConnectionClosed } from '../api/client';
import { toErrorInfo, type ErrorInfo } from './errors';

type ConnectionState =
  | { status: 'connecting'; client: null; error: null }
  | { status: 'ready'; client: Client; error: null }
  /** `lost`: it was connected and the connection went away (vs. never connected). */
  | { status: 'failed'; client: null; error: ErrorInfo; lost?: boolean };

interface ConnectionStore {
  state: ConnectionState;
  /** The first connection: once per page, however often it is called (main.tsx, the App). */
  start(): void;
  /** (Re)connects: the first time, and when the user asks after a failure. */
  connect(): Promise<void>;
}

let started = false;

/** The one backend connection (Electron bridge or WebSocket, chosen by renderer/api). */
export const useConnectionStore = create<ConnectionStore>((set, get) => ({
  state: { status: 'connecting', client: null, error: null },
  start() {
    // Once: a second attempt behind a failed first one (a refused token) would only fail again.
    if (started) return;
    started = true;
    void get().connect();
  },
  async connect() {
    set({ state: { status: 'connecting', client: null, error: null } });
    try {
      const client = await getClient();
      performance.mark('hindsight-connected'); // read by bench/ui: how much of a cold open is the connection
      set({ state: { status: 'ready', client, error: null } });
    } catch (e) {
      if (get().state.status === 'connecting') set({ state: { status: 'failed', client: null, error: toErrorInfo(e) } });
    }
  },
}));

// A lost connection (web host stopped, laptop slept) must be visible, not a UI that silently stops
// updating. The connect screen offers to reconnect; getClient() then opens a fresh connection.
onConnectionClosed((reason) => {
  // While connecting, connect() reports the failure itself (with the transport's explanation).
  if (useConnectionStore.getState().state.status !== 'ready') return;
  useConnectionStore.setState({
    state: { status: 'failed', client: null, lost: true, error: { code: 'DISCONNECTED', message: 'The connection to the Hindsight backend was lost.', detail: reason } },
  });
});

/** For stores: the client, or a clear error if something calls the backend before it is ready. */
export function requireClient(): Client {
  const { state } = useConnectionStore.getState();
  if (state.status !== 'ready') throw Object.assign(new Error('Not connected to the Hindsight backend'), { code: 'DISCONNECTED' });
  return state.client;
}
