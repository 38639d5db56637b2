import { containerState, docker } from './support/docker.js';
import { ensureHost, expect, test } from './support/fixtures.js';

test('stop and start uat-web: the pill follows and the daemon agrees', async ({ app, hostPage, lab, page }) => {
  const uat = lab.machines.uat;
  await docker(uat.localSocket, 'start', 'uat-web');
  await ensureHost(app, uat);
  await app.openHost('uat');
  await expect(hostPage.state('uat-web')).toHaveText('running');

  await hostPage.action('uat-web', 'Stop');
  await expect(hostPage.state('uat-web')).toHaveText('exited', { timeout: 30_000 });
  expect(await containerState(uat.localSocket, 'uat-web')).toBe('exited');
  await expect(app.toast('uat-web stopped')).toBeVisible();
  await expect(hostPage.container('uat-web').getByRole('button', { name: 'Start uat-web', exact: true })).toBeEnabled();
  await app.shot('09-stopped-container');

  await hostPage.action('uat-web', 'Start');
  await expect(hostPage.state('uat-web')).toHaveText('running', { timeout: 30_000 });
  expect(await containerState(uat.localSocket, 'uat-web')).toBe('running');
  await expect(app.toast('uat-web started')).toBeVisible();
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
  await app.shot('10-protected-confirm');
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
  await app.shot('11-theme-dark');
  await app.setTheme('light');
  await app.shot('12-theme-light');
  // The choice survives a reload (localStorage).
  await app.page.reload();
  await expect(app.page.locator('html')).toHaveAttribute('data-theme', 'light');
  await app.setTheme('system');
});
