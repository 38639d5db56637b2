import { AddHostDialog } from './pages/AddHostDialog.js';
import { expect, test } from './support/fixtures.js';

test('add the lab uat host by hand: fingerprint, trust, connection OK, inventory', async ({ app, hostPage, lab, page }) => {
  const uat = lab.machines.uat;
  await app.open();
  await expect(app.hostLink('production')).toBeVisible();
  await expect(app.hostLink('science')).toBeVisible();
  test.skip(await app.hasHost('uat'), 'uat was already added in this server run');
  // Wait for the initial checks so the sidebar dots show a settled state in the picture.
  await expect(page.getByRole('img', { name: /Checking connection/ })).toHaveCount(0, { timeout: 30_000 });
  await app.shot('01-host-list');

  await app.openAddHost();
  const dialog = new AddHostDialog(page);
  await dialog.fillSsh({ name: 'uat', role: 'uat', address: uat.address, port: uat.port, user: uat.user, keyPath: uat.keyPath, remoteSocket: uat.remoteSocket });
  await app.shot('02-add-host-form');

  await dialog.testConnection();
  await expect(dialog.root.getByRole('region', { name: 'Unknown host key' })).toBeVisible();
  await expect(dialog.fingerprint).toHaveText(uat.hostKeyFingerprint);
  await expect(dialog.keyType).not.toBeEmpty();
  await expect(dialog.root.getByText('Trust this host key?')).toBeVisible();
  await expect(dialog.step('Host key', 'failed')).toBeVisible();
  await app.shot('03-add-host-fingerprint');

  await dialog.trustHostKey();
  await expect(dialog.connectionOk).toBeVisible({ timeout: 30_000 });
  await expect(dialog.dockerVersion).toHaveText(/^\d+\.\d+/);
  await expect(dialog.root.getByText(/\d+ ms/)).toBeVisible();
  await app.shot('04-connection-ok');

  await dialog.save();
  await expect(app.hostLink('uat')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'uat' })).toBeVisible();

  for (const c of ['shop-db-1', 'shop-app-1', 'uat-web']) await expect(hostPage.container(c)).toBeVisible();
  for (const v of ['shop_pgdata', 'shop_files']) await expect(hostPage.volume(v)).toBeVisible();
  await expect(page.getByRole('rowgroup', { name: 'Stack shop' })).toBeVisible();
  await expect(page.getByText(/Connected · Docker/)).toBeVisible({ timeout: 30_000 });
  await app.shot('05-inventory');
});
