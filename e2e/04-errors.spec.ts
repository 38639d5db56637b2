import { AddHostDialog } from './pages/AddHostDialog.js';
import { expect, test } from './support/fixtures.js';

test('a wrong port is reported as a TCP failure in plain words', async ({ app, lab, page }) => {
  const uat = lab.machines.uat;
  await app.open();
  await app.openAddHost();
  const dialog = new AddHostDialog(page);
  // Nothing listens on 2299 on the lab's loopback address.
  await dialog.fillSsh({ name: 'nowhere', address: uat.address, port: 2299, user: uat.user, keyPath: uat.keyPath });
  await dialog.testConnection();
  await expect(dialog.step('TCP connection', 'failed')).toBeVisible();
  await expect(dialog.step('Name lookup', 'ok')).toBeVisible();
  const alert = dialog.root.getByRole('alert');
  await expect(alert).toContainText(`Could not connect to ${uat.address}:2299`);
  await expect(alert).toContainText('Check both');
  // The technical detail is one click away.
  await alert.getByText('Details').click();
  await expect(alert.locator('pre')).toContainText('TCP');
  await alert.locator('pre').scrollIntoViewIfNeeded();
  await app.shot('14-error-tcp');
  await dialog.cancel();
});

test('a key the server does not accept is reported as a login failure', async ({ app, lab, page }) => {
  const prod = lab.machines.production; // its host key is already trusted in the lab config
  await app.open();
  await app.openAddHost();
  const dialog = new AddHostDialog(page);
  await dialog.fillSsh({ name: 'wrong-key', address: prod.address, port: prod.port, user: prod.user, keyPath: prod.wrongKeyPath });
  await dialog.testConnection();
  await expect(dialog.step('Login', 'failed')).toBeVisible();
  await expect(dialog.root.getByRole('alert')).toContainText('The server refused the login');
  await app.shot('15-error-auth');
  await dialog.cancel();
});

test('form mistakes are pointed at before anything is sent', async ({ app, page }) => {
  await app.open();
  await app.openAddHost();
  const dialog = new AddHostDialog(page);
  await dialog.root.getByLabel('Port', { exact: true }).fill('99999');
  // Enter in a field runs the connection test (the safe action), which checks the form first.
  await dialog.root.getByLabel('Port', { exact: true }).press('Enter');
  await expect(dialog.root.getByText('A port is a number from 1 to 65535.')).toBeVisible();
  await expect(dialog.root.getByText('Enter the host name or IP address.')).toBeVisible();
  await dialog.cancel();
});
