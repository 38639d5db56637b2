import { docker } from './support/docker.js';
import { expect, test } from './support/fixtures.js';

/**
 * production is protected: the restore wizard will not start a restore onto it until its name is
 * typed at the confirm step. Nothing is restored — the test stops at the confirm step — and
 * production's own dockerd shows its containers untouched.
 */
test('a restore onto the protected production host needs its name typed', async ({ app, lab, page }) => {
  test.setTimeout(120_000);
  const prod = lab.machines.production;
  const startedBefore = await docker(prod.localSocket, 'inspect', '-f', '{{.State.StartedAt}}', 'shop-db-1', 'shop-app-1');

  await app.open();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Restore/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Restore' })).toBeVisible();
  await page.getByLabel('Repository').selectOption('lab-s3');
  // The newest snapshot is picked; its sources are all chosen by default.
  const snapshots = page.getByRole('radiogroup', { name: 'Recent snapshots' });
  await expect(snapshots.getByRole('radio').first()).toBeVisible({ timeout: 30_000 });
  await snapshots.getByRole('radio').first().check();
  const next = page.getByRole('button', { name: /^Next/ });
  await next.click();

  // Where: production, marked as protected.
  await page.getByRole('radiogroup', { name: 'Target host' }).getByRole('radio', { name: 'production' }).check();
  await expect(page.getByText('protected — its name must be typed to confirm')).toBeVisible();
  // Through pre-flight and plan to the confirm step (each Next enables once its step has loaded).
  for (let i = 0; i < 3; i++) {
    await expect(next).toBeEnabled({ timeout: 60_000 });
    await next.click();
  }
  const start = page.getByRole('button', { name: 'Start the restore' });
  await expect(start).toBeVisible();
  await expect(page.getByText('is a protected host. Type its name to confirm.')).toBeVisible();
  await expect(start).toBeDisabled();

  const typed = page.getByLabel('Type “production”');
  await typed.fill('prod');
  await expect(start).toBeDisabled();
  await typed.fill('uat');
  await expect(page.getByText('That is not the host’s name.')).toBeVisible();
  await expect(start).toBeDisabled();
  await typed.fill('production');
  await expect(start).toBeEnabled();
  await app.shot('48-protected-confirm');

  // …and we do not restore onto production: back out instead.
  await typed.fill('');
  await expect(start).toBeDisabled();
  await page.getByRole('button', { name: 'Back' }).click();
  expect(await docker(prod.localSocket, 'inspect', '-f', '{{.State.StartedAt}}', 'shop-db-1', 'shop-app-1')).toBe(startedBefore);
});
