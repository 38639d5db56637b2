import { expect, test } from './support/fixtures.js';

/**
 * Back up production's compose stack `shop` through the "Back up…" dialog to the S3 repository,
 * watch it in the operations view to success, and find it and its log (read from disk) again after a
 * reload — all by clicking, against the lab's real production host and S3 server.
 */
test('back up the shop stack, watch it, and find it again after a reload', async ({ app, page }) => {
  test.setTimeout(240_000);
  await app.open();
  await app.openHost('production');

  // The host-level action offers everything on the host; cancelled here.
  await page.getByRole('button', { name: 'Back up…', exact: true }).click();
  const hostDialog = page.getByRole('dialog', { name: 'Back up production' });
  await expect(hostDialog.getByRole('checkbox', { name: /shop_files/ })).toBeVisible({ timeout: 30_000 });
  await expect(hostDialog).toContainText('Filed under the backup set “production”');
  await hostDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(hostDialog).toHaveCount(0);

  await page.getByRole('button', { name: 'Back up stack shop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Back up stack shop on production' });
  await expect(dialog).toBeVisible();
  const sources = dialog.getByRole('group', { name: 'Sources to back up' });
  await expect(sources.getByRole('checkbox').first()).toBeVisible({ timeout: 30_000 });
  // The database (dumped) and the app's files volume are recommended, so already ticked.
  await expect(sources.getByRole('checkbox', { name: /PostgreSQL in shop-db-1/ })).toBeChecked();
  await expect(sources.getByRole('checkbox', { name: /shop_files/ })).toBeChecked();
  await dialog.getByLabel('Repository').selectOption({ label: 'lab-s3 (s3)' });
  await app.shot('43-backup-dialog');

  await dialog.getByRole('button', { name: /^Back up \d+ sources?$/ }).click();
  const view = dialog.getByTestId('operation-view');
  await expect(view).toBeVisible();
  await expect(view.getByTestId('operation-step').first()).toBeVisible();
  // The sidebar counts it among the running operations.
  await expect(page.getByTestId('running-operations')).toHaveText('1');
  await app.shot('41-operation-running');

  // The backup ends with a link to the snapshot it wrote.
  const done = dialog.getByTestId('backup-done');
  await expect(done).toBeVisible({ timeout: 180_000 });
  const snapshotId = (await done.getByTestId('snapshot-link').innerText()).trim();
  expect(snapshotId).toMatch(/\S/);
  await expect(view.getByTestId('operation-result')).toHaveAttribute('data-state', 'succeeded');
  await expect(view.getByTestId('operation-step').filter({ has: page.locator('[data-state="failed"]') })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Done' }).click();

  // The operations page lists it; its page shows the steps done and the log.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Operations/ }).click();
  const table = page.getByRole('table', { name: 'Operations' });
  const row = table.getByRole('row', { name: 'Back up' }).filter({ hasText: 'production' }).first();
  await expect(row).toBeVisible();
  await expect(row).toContainText('Succeeded');
  await app.shot('40-operations');

  await row.getByRole('link').click();
  await expect(page).toHaveURL(/#\/operations\/.+/);
  const opView = page.getByTestId('operation-view');
  await expect(opView).toHaveAttribute('data-state', 'succeeded');
  const logLines = page.getByTestId('operation-log').locator('.log-line');
  await expect(logLines.first()).toBeVisible();
  const linesBefore = await logLines.count();
  expect(linesBefore).toBeGreaterThan(0);
  await expect(page.getByTestId('operation-details')).toContainText(snapshotId);
  await app.shot('42-operation-done');

  // After a reload the log comes from disk (operations.logs), not from the task that ran.
  await page.reload();
  await expect(page.getByTestId('operation-view')).toHaveAttribute('data-state', 'succeeded');
  await expect(page.getByTestId('operation-log').locator('.log-line').first()).toBeVisible();
  expect(await page.getByTestId('operation-log').locator('.log-line').count()).toBeGreaterThan(0);
  const firstLine = await logLines.first().locator('.log-text').innerText();
  expect(firstLine.length).toBeGreaterThan(0);

  // Backups keep no audit record (the audit trail is for restores, verifies and rollbacks: see
  // 10-restore-failure); the list is still there after a reload, newest first.
  await page.goto(page.url().replace(/#.*$/, '#/operations'));
  await expect(page.getByRole('table', { name: 'Operations' }).getByRole('row', { name: 'Back up shop (production)' }).first()).toContainText('Succeeded');
  await app.setTheme('light');
  await expect(page.getByRole('table', { name: 'Operations' })).toBeVisible();
  await app.shot('49-operations-light');
  await app.setTheme('dark');
});
