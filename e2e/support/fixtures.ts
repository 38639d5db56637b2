import { expect, test as base } from '@playwright/test';
import { AddHostDialog } from '../pages/AddHostDialog.js';
import { AppPage } from '../pages/AppPage.js';
import { HostPage } from '../pages/HostPage.js';
import { readLab, type LabFacts as Lab, type LabMachine } from '../../electron/core/testing/lab.js';

interface Fixtures {
  lab: Lab;
  app: AppPage;
  hostPage: HostPage;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  lab: async ({}, use) => use(readLab()),
  app: async ({ page }, use) => use(new AppPage(page)),
  hostPage: async ({ page }, use) => use(new HostPage(page)),
});
export { expect };

/**
 * Makes sure the lab's uat host exists in Hindsight, adding it through the UI if a previous spec
 * did not (so every spec also runs on its own). Trusts the host key when asked.
 */
export async function ensureHost(app: AppPage, m: LabMachine): Promise<void> {
  await app.open();
  if (await app.hasHost(m.name)) return;
  await app.openAddHost();
  const dialog = new AddHostDialog(app.page);
  await dialog.fillSsh({ name: m.name, role: 'uat', address: m.address, port: m.port, user: m.user, keyPath: m.keyPath, remoteSocket: m.remoteSocket });
  await dialog.testConnection();
  if (await dialog.fingerprint.isVisible()) {
    await expect(dialog.fingerprint).toHaveText(m.hostKeyFingerprint);
    await dialog.trustHostKey();
  }
  await expect(dialog.connectionOk).toBeVisible({ timeout: 30_000 });
  await dialog.save();
  await expect(app.hostLink(m.name)).toBeVisible();
}
