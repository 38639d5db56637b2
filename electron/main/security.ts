/**
 * The Electron security settings in one place: what a window may load, open and ask for.
 * (Electron's security checklist: context isolation, sandbox, no Node in the page, CSP, no
 * navigation, no new windows, no permissions.)
 */
import { app, session, shell, type WebContents } from 'electron';
import { isOwnPage, permissionAllowed } from './own-page.js';

/** The page only talks to main over IPC: no network at all. */
export const ELECTRON_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function openExternallyIfHttps(url: string): void {
  try {
    if (new URL(url).protocol === 'https:') void shell.openExternal(url);
  } catch {
    // not a URL: ignore
  }
}

/** Default session: CSP header on every response; permissions as permissionAllowed says. */
export function secureSession(indexUrl: URL): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  ses.setPermissionRequestHandler((contents, permission, callback, details) => callback(permissionAllowed(permission, details.requestingUrl ?? contents.getURL(), indexUrl)));
  ses.setPermissionCheckHandler((contents, permission, requestingOrigin) => permissionAllowed(permission, contents?.getURL() ?? requestingOrigin, indexUrl));
}

/** Every web contents ever created: no new windows, no navigation away, no webviews. */
export function lockDownWebContents(indexUrl: URL): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.setWindowOpenHandler(({ url }) => {
      openExternallyIfHttps(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event) => {
      if (!isOwnPage(event.url, indexUrl)) {
        event.preventDefault();
        openExternallyIfHttps(event.url);
      }
    });
    contents.on('will-redirect', (event) => {
      if (!isOwnPage(event.url, indexUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
