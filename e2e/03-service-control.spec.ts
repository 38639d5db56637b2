import { containerState, docker } from './support/docker.js';
import { ensureHost, expect, test } from './support/fixtures.js';

test('stop and start uat-web: the pill follows and the daemon agrees', async ({ app, hostPage, lab, page }) => {
  const uat = lab.machines.uat;
  await docker(uat.localSocket, 'start', 'uat-web');
  await ensureHost(app, uat);
  await app.openHost('uat');
  await expect(hostPage.state('uat-web')).toHaveText('running');
  await hostPage.openLogs('uat-web');
  const logsState = page.getByRole('region', { name: 'Logs of uat-web' }).getByTestId('logs-state');
  await expect(logsState).toHaveText('following');

  await hostPage.action('uat-web', 'Stop');
  await expect(hostPage.state('uat-web')).toHaveText('exited', { timeout: 30_000 });
  expect(await containerState(uat.localSocket, 'uat-web')).toBe('exited');
  await expect(app.toast('uat-web stopped')).toBeVisible();
  await expect(hostPage.container('uat-web').getByRole('button', { name: 'Start uat-web', exact: true })).toBeEnabled();
  // Docker ends the log stream with the container; the drawer says so.
  await expect(logsState).toHaveText('stream ended');
  await app.shot('09-stopped-container');

  await hostPage.action('uat-web', 'Start');
  await expect(hostPage.state('uat-web')).toHaveText('running', { timeout: 30_000 });
  expect(await containerState(uat.localSocket, 'uat-web')).toBe('running');
  await expect(app.toast('uat-web started')).toBeVisible();
  // ...and follows again by itself once the container runs.
  await expect(logsState).toHaveText('following');
  await expect(page.getByRole('region', { name: 'Logs of uat-web' }).locator('.log-line').filter({ hasText: 'uat-web: starting' }).last()).toBeVisible();
});

test('restart the shop stack of uat: progress while it runs, everything running after', async ({ app, hostPage, lab, page }) => {
  const uat = lab.machines.uat;
  await ensureHost(app, uat);
  await app.openHost('uat');
  const startedBefore = await docker(uat.localSocket, 'inspect', '-f', '{{.State.StartedAt}}', 'shop-app-1');
  await page.getByRole('button', { name: 'Restart stack shop' }).click();
  // The services.stack task reports per-container progress in the stack's header row.
  await expect(page.getByRole('progressbar', { name: 'restart stack shop' })).toBeVisible();
  await app.shot('10-stack-restart-progress');
  await expect(app.toast('Stack shop restarted')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('progressbar', { name: 'restart stack shop' })).toHaveCount(0);
  for (const c of ['shop-db-1', 'shop-app-1']) {
    await expect(hostPage.state(c)).toHaveText('running');
    expect(await containerState(uat.localSocket, c)).toBe('running');
  }
  expect(await docker(uat.localSocket, 'inspect', '-f', '{{.State.StartedAt}}', 'shop-app-1')).not.toBe(startedBefore);
});

test('stopping a service on a protected host asks first', async ({ app, hostPage, lab, page }) => {
  const prod = lab.machines.production;
  await app.open();
  await app.openHost('production');
  await expect(hostPage.state('shop-app-1')).toHaveText('running');
  await hostPage.action('shop-app-1', 'Stop');
  const confirm = page.getByRole('dialog', { name: 'Stop shop-app-1?' });
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('protected host');
  await app.shot('11-protected-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  // Nothing happened on production.
  expect(await containerState(prod.localSocket, 'shop-app-1')).toBe('running');
  await expect(hostPage.state('shop-app-1')).toHaveText('running');
});

test('themes: the inventory in dark and in light', async ({ app, lab }) => {
  await ensureHost(app, lab.machines.uat);
  await app.openHost('uat');
  await app.setTheme('dark');
  await app.shot('12-theme-dark');
  await app.setTheme('light');
  await app.shot('13-theme-light');
  // The choice survives a reload (localStorage).
  await app.page.reload();
  await expect(app.page.locator('html')).toHaveAttribute('data-theme', 'light');
  await app.setTheme('system');
});
