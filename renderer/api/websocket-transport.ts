/** The web mode transport: JSON messages over a WebSocket to the web host's /rpc. */
import type { ClientMessage } from '../../shared/contract/index.js';
import type { Transport } from '../../shared/rpc/transport.js';

export function createWebSocketTransport(url: string): Transport {
  const socket = new WebSocket(url);
  const waiting: string[] = []; // sent before the socket opened
  const messageListeners = new Set<(message: unknown) => void>();
  const closeListeners = new Set<(reason: string) => void>();

  socket.addEventListener('open', () => {
    for (const text of waiting.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event: MessageEvent) => {
    if (typeof event.data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    for (const listener of messageListeners) listener(message);
  });
  socket.addEventListener('close', (event: CloseEvent) => {
    // A refused upgrade (wrong token, foreign origin) shows up here as 1006 with no reason.
    const reason = event.reason || (event.code === 1006 ? 'the backend refused or dropped the connection (check the token in the URL)' : `closed (${event.code})`);
    for (const listener of closeListeners) listener(reason);
  });

  return {
    send(message: ClientMessage) {
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) waiting.push(text);
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => socket.close(1000, 'closed by the page'),
  };
}

const TOKEN_KEY = 'hindsight.webToken';

/**
 * The token comes in the page URL (?token=…, printed by the web host). It is moved to
 * sessionStorage and taken out of the address bar, so it survives reloads of this tab but does not
 * linger in the URL (screen shares, history).
 */
export function takeWebToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
      url.searchParams.delete('token');
      window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    } catch {
      // storage disabled: keep the token in the URL so a reload still works
    }
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function webSocketUrl(token: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/rpc?token=${encodeURIComponent(token)}`;
}
