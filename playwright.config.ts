import { defineConfig } from '@playwright/test';
import { E2E_PORT as PORT, E2E_TOKEN } from './e2e/support/env.js';

/**
 * e2e: the built renderer in Debian's Chromium against the web host (same core and contract as the
 * desktop app) on a fresh copy of the lab's config. Never `npx playwright install`: the browser is
 * /usr/bin/chromium. The `electron` project runs only where the Electron binary was downloaded.
 */
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // One backend, one lab: the specs share state (hosts, containers), so they run one at a time.
  fullyParallel: false,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'node e2e/support/start-web-server.mjs',
    url: `http://127.0.0.1:${PORT}/`,
    env: { E2E_PORT: String(PORT), HINDSIGHT_WEB_TOKEN: E2E_TOKEN },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
  projects: [
    {
      name: 'web',
      testIgnore: '**/electron/**',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--headless',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
    {
      name: 'electron',
      testMatch: '**/electron/**/*.spec.ts',
    },
  ],
});
