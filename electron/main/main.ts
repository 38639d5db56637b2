/**
 * The Electron app: one window over the same core, router and contract as web mode and the CLI.
 * Bundled to dist/electron/main.cjs (CommonJS, `electron` and packages external).
 */
import { app, BrowserWindow, dialog } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Backend } from '../core/backend-types.js';
import { createBackend } from '../core/backend.js';
import { warmUpTimelines } from '../core/backup/warm-up.js';
import { defaultConfigDir } from '../core/config/paths.js';
import { logLocation, logToFile } from '../core/log.js';
import { createRouter, type Router } from '../core/rpc/router.js';
import { consoleLogger } from '../core/rpc/types.js';
import { serveIpc } from './ipc-transport.js';
import { lockDownWebContents, secureSession } from './security.js';
import { bundlePaths, createMainWindow } from './window.js';

const paths = bundlePaths(__dirname);
const indexUrl = pathToFileURL(paths.indexHtml);

let backend: Backend | undefined;
let router: Router | undefined;
let stopIpc: (() => void) | undefined;

app.enableSandbox();
lockDownWebContents(indexUrl);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.whenReady().then(start, (error: unknown) => fatal(error));
}

async function start(): Promise<void> {
  try {
    // The platform's log folder (~/.config/Hindsight/logs, ~/Library/Logs/Hindsight,
    // %APPDATA%\Hindsight\logs): an error that says "Reference … in <file>" names this file.
    logToFile(path.join(app.getPath('logs'), 'hindsight.log'));
    secureSession(indexUrl);
    const configDir = defaultConfigDir();
    const created = await createBackend({ configDir });
    backend = created;
    // The newest month of each local repository listed while the page loads (backup/warm-up.ts).
    void warmUpTimelines(created.handlers);
    router = createRouter(created, { mode: 'electron', configDir, appVersion: app.getVersion(), logger: consoleLogger });
    stopIpc = serveIpc(router, indexUrl, consoleLogger);
    createMainWindow(paths);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(paths);
    });
  } catch (error) {
    fatal(error);
  }
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

/** Quitting with an operation under way asks first; then everything is closed in order. */
let shuttingDown = false;
app.on('before-quit', (event) => {
  if (shuttingDown) return;
  const running = router?.tasks.list().filter((t) => t.state === 'running') ?? [];
  if (running.length) {
    const choice = dialog.showMessageBoxSync({
      type: 'warning',
      buttons: ['Keep running', 'Cancel them and quit'],
      defaultId: 0,
      cancelId: 0,
      message: `${running.length} operation${running.length === 1 ? ' is' : 's are'} still running`,
      detail: running.map((t) => `• ${t.title}`).join('\n'),
    });
    if (choice === 0) {
      event.preventDefault();
      return;
    }
  }
  shuttingDown = true;
  event.preventDefault();
  stopIpc?.();
  router?.dispose();
  void (backend?.dispose() ?? Promise.resolve()).finally(() => app.exit(0));
});

function fatal(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Hindsight failed to start: ${message}`);
  dialog.showErrorBox('Hindsight could not start', `${message}\n\nThe log: ${logLocation()}`);
  app.exit(1);
}
