import type { Page } from '@playwright/test';
import type { AppPage } from './pages/AppPage.js';
import { docker } from './support/docker.js';
import { APP_PATH } from './support/env.js';
import { ensureHost, expect, test } from './support/fixtures.js';

/**
 * The point-and-click restore onto UAT (issue 4): back up production's `shop` stack to the lab's S3
 * repository from the host page, make uat's copy different, then restore through every wizard step
 * — the snapshot found by typing an "as of" date — and check on uat's OWN dockerd (not through
 * Hindsight) that the files and the database rows are production's.
 */
const BUSYBOX = 'hindsight-lab/busybox:latest';
const TABLES = ['customers', 'products', 'orders', 'audit.events'];
const MARKER_FILE = 'UAT-ONLY-MARKER.txt';
const MARKER_TABLE = 'uat_only_marker';

/** Every path in the volume, and each file's checksum: what "the same files" means. */
const filesOf = (socket: string) =>
  docker(socket, 'run', '--rm', '-v', 'shop_files:/v:ro', BUSYBOX, 'sh', '-c', 'cd /v && find . | sort && find . -type f -exec md5sum {} + | sort -k2');

const psql = (socket: string, sql: string) => docker(socket, 'exec', 'shop-db-1', 'psql', '-X', '-U', 'postgres', '-d', 'shop', '-Atc', sql);

async function rowCounts(socket: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) out[t] = await psql(socket, `SELECT count(*) FROM ${t}`).catch((e: Error) => `error: ${e.message.split('\n')[0]}`);
  return out;
}

const tableExists = async (socket: string, table: string) => (await psql(socket, `SELECT count(*) FROM pg_tables WHERE tablename = '${table}'`)) === '1';

const snapshotTime = (id: string) => new Date(id.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z.*$/, '$1-$2-$3T$4:$5:$6Z'));

/** "2026-11-22 01:40:05" in UTC (the browser runs in UTC below, so the backend reads it the same way). */
const asOfText = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** Through the host page's "Back up…" dialog, by clicking. */
async function backUpShop(page: Page, app: AppPage): Promise<string> {
  await app.openHost('production');
  await page.getByRole('button', { name: 'Back up stack shop' }).click();
  const dialog = page.getByRole('dialog', { name: /Back up stack shop/ });
  const sources = dialog.getByRole('group', { name: 'Sources to back up' });
  await expect(sources.getByRole('checkbox').first()).toBeVisible({ timeout: 30_000 });
  for (const box of await sources.getByRole('checkbox').all()) {
    const label = (await box.getAttribute('aria-label')) ?? '';
    const wanted = /volume shop_files\b/.test(label) || /PostgreSQL in shop-db-1/.test(label);
    if ((await box.isChecked()) !== wanted) await box.click();
  }
  await dialog.getByLabel('Repository').selectOption('lab-s3');
  await dialog.getByRole('button', { name: /^Back up 2 sources/ }).click();
  await expect(dialog.getByTestId('backup-done')).toBeVisible({ timeout: 90_000 });
  const id = (await dialog.getByTestId('backup-done').getByTestId('snapshot-link').innerText()).trim();
  await dialog.getByRole('button', { name: 'Close' }).click();
  return id;
}

async function next(page: Page) {
  await page.getByRole('button', { name: /^Next/ }).click();
}

test.use({ timezoneId: 'UTC', locale: 'en-GB' });

test('restore production’s shop backup onto uat through every wizard step; uat’s daemon has production’s data', async ({ app, lab, page }) => {
  test.setTimeout(240_000);
  const prod = lab.machines.production;
  const uat = lab.machines.uat;
  await ensureHost(app, uat);
  await app.setTheme('dark');

  // 1. Back up production's shop stack (shop_files + PostgreSQL in shop-db-1) to lab-s3.
  const snapshotId = await backUpShop(page, app);
  expect(snapshotId).toMatch(/^\d{8}T\d{6}Z-shop-[0-9a-f]{4}$/);
  // The snapshot id carries its time (to the second): "as of" exactly then finds this snapshot, not a later one.
  const backedUpAt = snapshotTime(snapshotId);

  // 2. Make uat's copy visibly different: a file production does not have, a table it does not have, a row less.
  await docker(uat.localSocket, 'run', '--rm', '-v', 'shop_files:/v', BUSYBOX, 'sh', '-c', `echo "uat was here" > /v/${MARKER_FILE}`);
  await psql(uat.localSocket, `CREATE TABLE IF NOT EXISTS ${MARKER_TABLE}(note text); INSERT INTO ${MARKER_TABLE} VALUES ('uat only')`);
  // (audit.events: nothing references it, so a row can go without tripping a foreign key.)
  if (await tableExists(uat.localSocket, 'events')) await psql(uat.localSocket, 'DELETE FROM audit.events WHERE ctid IN (SELECT ctid FROM audit.events LIMIT 1)');
  const prodFiles = await filesOf(prod.localSocket);
  const prodRows = await rowCounts(prod.localSocket);
  expect(await filesOf(uat.localSocket)).not.toBe(prodFiles);
  expect(await rowCounts(uat.localSocket)).not.toEqual(prodRows);

  // 3. The wizard, from the sidebar.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Restore' }).click();
  const heading = page.locator('#wizard-step-heading');
  await expect(heading).toContainText('What to restore');
  await expect(heading).toBeFocused();
  await page.getByLabel('Repository').selectOption('lab-s3');
  await page.getByRole('radio', { name: 'As of a date' }).click();
  await page.getByLabel('As of').fill(asOfText(backedUpAt));
  await page.getByLabel('As of').press('Enter');
  const asOf = page.getByTestId('asof-result');
  await expect(asOf).toContainText('Read as');
  const shopSet = asOf.locator('label.rw-asof-set').filter({ hasText: snapshotId });
  await expect(shopSet).toBeVisible();
  if (!(await shopSet.getByRole('radio').isChecked())) await shopSet.getByRole('radio').click();
  await expect(page.getByRole('checkbox', { name: /shop_files/ })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: /shop-db-1/ })).toBeChecked();
  await page.locator('.main-scroll').evaluate((el) => el.scrollTo(0, 0));
  await app.shot('30-what');
  await next(page);

  // Where: uat (non-protected hosts first), same names.
  await expect(heading).toContainText('Where to restore it');
  await expect(heading).toBeFocused();
  await page.getByRole('radiogroup', { name: 'Target host' }).getByRole('radio', { name: 'uat', exact: true }).check();
  await expect(page.getByTestId('target-shop_files')).toContainText('existing volume');
  await expect(page.getByTestId('target-shop-db-1')).toContainText('postgres');
  await app.shot('31-where');
  // Keyboard: Alt+← goes back with the choices kept, Alt+→ comes forward again.
  await page.keyboard.press('Alt+ArrowLeft');
  await expect(heading).toContainText('What to restore');
  await expect(page.getByLabel('As of')).toHaveValue(asOfText(backedUpAt));
  await page.keyboard.press('Alt+ArrowRight');
  await expect(page.getByRole('radiogroup', { name: 'Target host' }).getByRole('radio', { name: 'uat', exact: true })).toBeChecked();
  await next(page);

  // Pre-flight.
  await expect(heading).toContainText('Pre-flight checks');
  const checks = page.getByRole('list', { name: 'Pre-flight checks' });
  await expect(checks.getByRole('listitem').first()).toBeVisible({ timeout: 60_000 });
  await expect(checks.locator('[data-status="fail"]')).toHaveCount(0);
  await expect(page.getByTestId('preflight-headline')).not.toContainText('failed');
  await app.shot('32-preflight');
  await heading.press('Enter'); // Enter = next when the step allows it

  // Plan: steps, commands, bytes, estimate; the safety copy on by default — turning it off asks why.
  await expect(heading).toContainText('The plan');
  const steps = page.getByRole('list', { name: 'Plan steps' });
  await expect(steps.getByRole('listitem').first()).toBeVisible({ timeout: 60_000 });
  await expect(steps).toContainText('Safety copy');
  await expect(page.getByTestId('plan-bytes')).toHaveText(/\d/);
  await expect(page.getByTestId('plan-estimate')).toHaveText(/^about \d/);
  const safety = page.getByRole('switch', { name: /Safety copy/ });
  await expect(safety).toBeChecked();
  await app.shot('33-plan');
  await safety.click();
  const why = page.getByRole('dialog', { name: 'Restore without a safety copy?' });
  await expect(why.getByRole('button', { name: 'Turn it off' })).toBeDisabled();
  await why.getByLabel(/Why\?/).fill('scratch copy for a demo');
  await expect(why.getByRole('button', { name: 'Turn it off' })).toBeEnabled();
  await app.shot('34-safety-copy-off');
  await why.getByRole('button', { name: 'Keep the safety copy' }).click();
  await expect(safety).toBeChecked();
  await next(page);

  // Confirm: one paragraph in plain words.
  await expect(heading).toContainText('Confirm');
  const summary = page.getByTestId('confirm-summary');
  await expect(summary).toContainText(/^Replace /);
  await expect(summary).toContainText('volume shop_files');
  await expect(summary).toContainText('PostgreSQL databases in container shop-db-1');
  await expect(summary).toContainText(`on uat with production's backup of`);
  await expect(summary).toContainText(/stop \d+ containers?/);
  await expect(summary).toContainText(/about \d+ min/);
  await app.shot('35-confirm');
  await page.getByRole('button', { name: 'Start the restore' }).click();

  // Run: live steps with progress; it reaches 100 % and ends.
  await expect(heading).toContainText('Restoring');
  const op = page.getByTestId('operation-view');
  await expect(op).toBeVisible();
  await expect(op.getByTestId('operation-step').first()).toBeVisible({ timeout: 30_000 });
  await expect(op.getByTestId('step-progress').first()).toBeVisible({ timeout: 60_000 });
  // A picture with some steps done (if the run is quicker than that, all of them are: also fine).
  await expect.poll(() => op.locator('[data-testid="operation-step"][data-state="done"]').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  await app.shot('36-run');
  await expect(page.getByRole('button', { name: /^See the result/ })).toBeEnabled({ timeout: 180_000 });
  await expect(op).toHaveAttribute('data-state', 'succeeded', { timeout: 30_000 });
  await expect(page.getByRole('progressbar', { name: 'Restore overall' })).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByTestId('run-overall-pct')).toHaveText('100 %');
  await expect(op.locator('[data-testid="operation-step"]:not([data-state="done"])')).toHaveCount(0);
  await page.getByRole('button', { name: /^See the result/ }).click();

  // Result: verification passed, what was restarted, the operation's link.
  await expect(heading).toContainText('Result');
  const result = page.getByTestId('restore-result');
  await expect(result).toHaveAttribute('data-outcome', 'passed');
  await expect(result).toContainText('verification passed');
  await expect(page.getByTestId('verification-report')).toContainText('shop_files');
  await expect(page.getByTestId('verification-report')).toContainText('shop-db-1');
  await expect(page.getByTestId('result-operation-link')).toHaveAttribute('href', /^#\/operations\//);
  // The "operation ended" notice would cover the stepper in the picture.
  const notices = page.getByRole('region', { name: 'Operation notifications' });
  for (const dismiss of await notices.getByRole('button', { name: 'Dismiss notification' }).all()) await dismiss.click();
  await app.shot('37-result');
  await app.setTheme('light');
  await app.shot('38-wizard-light');
  await app.setTheme('system');

  // 4. On uat's own dockerd: production's files, production's rows, uat's extras gone, the app running again.
  expect(await filesOf(uat.localSocket)).toBe(prodFiles);
  expect(await rowCounts(uat.localSocket)).toEqual(prodRows);
  expect(prodRows.customers).toBe('50');
  expect(await tableExists(uat.localSocket, MARKER_TABLE)).toBe(false);
  expect(await docker(uat.localSocket, 'inspect', '-f', '{{.State.Status}}', 'shop-app-1')).toBe('running');

  // 5. A fresh wizard lists the snapshot among the recent ones; a link with ?repo=&snapshot= prefills it.
  await page.getByRole('button', { name: 'Start another restore' }).click();
  await expect(heading).toContainText('What to restore');
  await page.getByRole('radio', { name: 'A recent snapshot' }).click();
  await expect(page.getByRole('radiogroup', { name: 'Recent snapshots' }).locator(`input[value="${snapshotId}"]`)).toBeAttached();
  await page.goto(`${APP_PATH}#/restore?repo=lab-s3&snapshot=${snapshotId}`);
  await expect(page.getByRole('checkbox', { name: /shop_files/ })).toBeChecked();
  await expect(page.getByRole('radiogroup', { name: 'Recent snapshots' }).locator(`input[value="${snapshotId}"]`)).toBeChecked();
});
