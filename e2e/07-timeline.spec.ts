import type { Page } from '@playwright/test';
import type { BackupResult } from '../shared/contract/index.js';
import { backupWithCli } from './support/cli-backup.js';
import { APP_PATH } from './support/env.js';
import { ensureHost, expect, test } from './support/fixtures.js';

/**
 * Browsing backups by date (issue 4, items 1–2), against the real lab: a real backup of
 * production's shop (volume shop_files + the PostgreSQL container) into the lab's S3 repository,
 * then the timeline, the "as of" field, the snapshot's details, its file tree and row counts.
 * The set is this spec's own, so the as-of pick for it is this run's snapshot (the newest of the set).
 */

const SET = 'e2e-timeline';
const REPO = 'lab-s3';
let snapshot: BackupResult;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  snapshot = await backupWithCli({ host: 'production', repo: REPO, set: SET, volumes: ['shop_files'], postgres: ['shop-db-1'], note: 'e2e: browse by date' });
});

const row = (page: Page, id: string) => page.locator(`[data-testid="snapshot-row"][data-snapshot-id="${id}"]`);

/** Opens the timeline from the sidebar and picks the lab's S3 repository. */
async function openTimeline(page: Page) {
  await page.getByRole('link', { name: 'Snapshots' }).first().click();
  await page.getByTestId('repository-select').selectOption(REPO);
  await expect(page.getByRole('heading', { level: 1, name: 'Snapshots' })).toBeVisible();
  await expect(page.getByTestId('timeline-axis')).toBeVisible({ timeout: 30_000 });
}

/** "2026-11-22 01:40" in the browser's zone: what a person types. */
const localMinute = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
};

test('timeline: the new snapshot is listed; "as of" highlights it; details show sources, files and row counts', async ({ app, page }) => {
  test.setTimeout(120_000);
  await app.open();
  await app.setTheme('dark');
  await openTimeline(page);

  // Filter to this run's set: the list is then exactly its snapshot, with its summary loaded.
  await page.getByTestId('filter-set').selectOption(SET);
  await expect(row(page, snapshot.snapshotId)).toBeVisible({ timeout: 30_000 });
  await expect(row(page, snapshot.snapshotId)).toContainText('production');
  await expect(row(page, snapshot.snapshotId)).toContainText('shop_files (volume)');
  await page.getByTestId('filter-set').selectOption('');
  await expect(row(page, snapshot.snapshotId)).toBeVisible();
  await app.shot('20-timeline');

  // As of a minute after it completed: the newest snapshot of the set at or before is this one.
  const when = localMinute(Date.parse(snapshot.completedAt) + 60_000);
  await page.getByTestId('asof-input').fill(when);
  await page.getByTestId('asof-input').press('Enter');
  await expect(page.getByTestId('asof-interpretation')).toBeVisible({ timeout: 20_000 });
  // The pick for this spec's set is exactly the snapshot just taken.
  await expect(page.locator(`[data-testid="asof-pick"][data-set="${SET}"]`)).toHaveAttribute('data-snapshot-id', snapshot.snapshotId);
  await expect(row(page, snapshot.snapshotId)).toHaveClass(/is-asof/);
  await expect(row(page, snapshot.snapshotId)).toContainText('as of');
  await app.shot('21-as-of');

  // Details.
  await row(page, snapshot.snapshotId).click();
  await expect(page.getByRole('heading', { level: 1, name: SET })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('source-row')).toHaveCount(2);
  await expect(page.getByRole('row', { name: 'Source shop_files' })).toContainText('volume shop_files');
  await expect(page.getByText('e2e: browse by date')).toBeVisible();
  const volume = snapshot.sources.find((s) => s.kind === 'volume')!;
  await expect(page.getByRole('row', { name: 'Source shop_files' })).toContainText(`${volume.fileCount!.toLocaleString('en-US')} entries`);
  await expect(page.getByTestId('restore')).toBeEnabled();
  await app.shot('22-details');

  // The file tree: the root of shop_files, then into uploads/ and its images/ (each a snapshots.files call).
  const tree = page.getByTestId('file-tree');
  await expect(tree.locator('[data-path="README.txt"]')).toBeVisible({ timeout: 20_000 });
  await tree.locator('[data-path="uploads"]').click();
  await expect(tree.locator('[data-path="uploads/images"]')).toBeVisible({ timeout: 20_000 });
  await tree.locator('[data-path="uploads/images"]').click();
  await expect(tree.locator('[data-path="uploads/images/logo.svg"]')).toBeVisible({ timeout: 20_000 });
  await tree.locator('[data-path="uploads/images/logo.svg"]').scrollIntoViewIfNeeded();
  await app.shot('23-file-tree', tree);

  // Row counts of the shop database, exactly as the dump recorded them.
  const shopDb = page.locator('[data-testid="rowcount-db"][data-database="shop"]');
  await expect(shopDb).toBeVisible();
  const pg = snapshot.sources.find((s) => s.kind === 'postgres')!;
  const counts = pg.databaseRowCounts?.shop ?? pg.rowCounts ?? {};
  expect(Object.keys(counts).length, 'the dump recorded row counts for shop').toBeGreaterThan(0);
  for (const [table, n] of Object.entries(counts)) {
    await expect(shopDb.getByRole('row').filter({ hasText: table })).toContainText(n.toLocaleString('en-US'));
  }
  await shopDb.scrollIntoViewIfNeeded();
  await app.shot('24-row-counts', page.getByTestId('row-counts').filter({ has: shopDb }));

  // "Restore…" goes to the wizard with this snapshot picked.
  await page.getByTestId('restore').click();
  await expect(page).toHaveURL(new RegExp(`#/restore\\?repo=${REPO}&snapshot=${encodeURIComponent(snapshot.snapshotId)}`));
  await app.setTheme('system');
});

test('details: "Verify now" on a non-protected host passes; "Back up now" takes a new snapshot of the set', async ({ app, lab, page }) => {
  test.setTimeout(240_000);
  // uat (added by spec 01 in a full run) runs PostgreSQL: the verify's host. Run alone, this spec adds it.
  await ensureHost(app, lab.machines.uat);
  await page.goto(`${APP_PATH}#/snapshots/${REPO}/${encodeURIComponent(snapshot.snapshotId)}`);
  await expect(page.getByRole('heading', { level: 1, name: SET })).toBeVisible({ timeout: 20_000 });

  await page.getByTestId('verify-now').click();
  const dialog = page.getByRole('dialog', { name: 'Verify this snapshot' });
  // Production is protected: never the suggested place for a verify.
  await expect(dialog.getByLabel('Host to verify on')).not.toHaveValue('production');
  // The snapshot holds a PostgreSQL dump: science runs only MariaDB, and the dialog says so.
  await expect(dialog.locator('option', { hasText: /^science .* — no PostgreSQL container$/ })).toHaveCount(1);
  await app.shot('27b-verify-dialog');
  await dialog.getByTestId('verify-start').click();
  const verified = page.getByTestId('verify-result');
  await expect(verified).toContainText('every check passed', { timeout: 180_000 });
  await expect(verified).toContainText('shop_files: raw bytes');
  await expect(page.locator('.page-title-row').getByText('verified')).toBeVisible({ timeout: 20_000 });
  await app.shot('28-verify-now');

  // Not a saved set: an ad-hoc backup of the same host and sources, filed under the same set.
  await page.getByTestId('backup-now').click();
  const backedUp = page.getByTestId('backup-result');
  await expect(backedUp).toContainText(`New snapshot of ${SET}`, { timeout: 180_000 });
  await backedUp.getByRole('button', { name: 'Open it' }).click();
  await expect(page).not.toHaveURL(new RegExp(encodeURIComponent(snapshot.snapshotId)));
  await expect(page.getByRole('heading', { level: 1, name: SET })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('source-row')).toHaveCount(2);
  await app.shot('29-backup-now');
});

test('timeline in the light theme', async ({ app, page }) => {
  await app.open();
  await app.setTheme('light');
  await openTimeline(page);
  await expect(row(page, snapshot.snapshotId)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('size-chart')).toBeVisible();
  await app.shot('25-timeline-light');
  await app.setTheme('system');
});
