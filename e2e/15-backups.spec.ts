import { hindsightCli as hindsight } from './support/cli-backup.js';
import { expect, test } from './support/fixtures.js';

/**
 * The Backups screen: a plan made and run with the CLI shows on time, with its next run and
 * retention; a plan that never ran shows "never backed up"; the retention preview lists the plan's
 * snapshots with the rule that keeps each one or "delete".
 */
test('backup plans: how fresh their backups are, and the retention preview', async ({ app, page }) => {
  test.setTimeout(180_000);
  const plan = `e2e-hourly-${Date.now().toString(36)}`;
  await hindsight('plans', 'add', plan, '--host', 'production', '--repo', 'lab-s3', '--volume', 'shop_files', '--schedule', 'hourly', '--tz', 'UTC', '--keep-last', '1');
  await hindsight('plans', 'run', plan);
  await hindsight('plans', 'run', plan);
  const idle = `e2e-never-${Date.now().toString(36)}`;
  await hindsight('plans', 'add', idle, '--host', 'production', '--repo', 'lab-s3', '--volume', 'shop_files', '--schedule', 'daily', '--tz', 'Europe/Paris');

  await app.open();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Backups/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Backups' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Backup plans' });
  await expect(page.getByTestId(`fresh-${plan}`)).toHaveText('on time');
  await expect(page.getByTestId(`fresh-${idle}`)).toHaveText('never backed up');
  await expect(table.getByRole('row', { name: plan })).toContainText('last 1');
  await app.shot('54-backups', page.locator('main'));

  await table.getByRole('row', { name: plan }).getByRole('button', { name: 'Retention' }).click();
  const dialog = page.getByRole('dialog', { name: `Retention of ${plan}` });
  // Two runs, keep-last 1, and each run applied the retention: one snapshot left, kept as "last".
  await expect(dialog.getByTestId('retention-summary')).toHaveText('1 kept, 0 would be deleted.');
  await expect(dialog.getByRole('table', { name: 'Retention preview' })).toContainText('keep: last');
  await app.shot('55-retention-preview', dialog);
});
