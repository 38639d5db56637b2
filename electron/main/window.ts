/** The main window: sandboxed, isolated, no Node, our preload as the only bridge. */
import { BrowserWindow } from 'electron';
import path from 'node:path';

export interface WindowPaths {
  indexHtml: string;
  preload: string;
  icon: string;
}

export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Hindsight',
    backgroundColor: '#11151c',
    icon: paths.icon,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadFile(paths.indexHtml);
  return window;
}

/** Where the bundle's neighbours are: dist/electron/main.cjs → dist/renderer, dist/assets. */
export function bundlePaths(bundleDir: string): WindowPaths {
  return {
    indexHtml: path.resolve(bundleDir, '../renderer/index.html'),
    preload: path.resolve(bundleDir, 'preload.cjs'),
    icon: path.resolve(bundleDir, '../assets/icon.png'),
  };
}
