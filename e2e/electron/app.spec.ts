import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The desktop app itself. Runs only where the Electron binary was downloaded at install time
 * (npm's electron package fetches it from outside the registries); skipped elsewhere.
 */
function electronBinary(): string | null {
  try {
    const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const rel = readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim();
    const bin = path.join(pkgDir, 'dist', rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

test('the desktop window opens on the hosts list', async () => {
  test.skip(!electronBinary(), 'the Electron binary is not installed on this machine');
  const repo = path.resolve(import.meta.dirname, '../..');
  // An empty config of its own: the test must not read or change the user's hosts.
  const configDir = mkdtempSync(path.join(tmpdir(), 'hindsight-electron-e2e-'));
  const app = await electron.launch({ args: ['.'], cwd: repo, env: { ...process.env, HINDSIGHT_CONFIG_DIR: configDir } });
  try {
    const window = await app.firstWindow();
    await expect(window).toHaveTitle(/Hindsight/);
    await expect(window.getByRole('navigation', { name: 'Hosts' })).toBeVisible();
    await expect(window.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();
  } finally {
    await app.close();
  }
});
