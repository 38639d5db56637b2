import { backupWithCli } from './support/cli-backup.js';
import { docker } from './support/docker.js';
import { APP_PATH } from './support/env.js';
import { expect, test } from './support/fixtures.js';

/**
 * A directory source's path in the manifest is only a default: the wizard shows it, the user puts
 * the files elsewhere, and a system directory is refused before anything runs. Production's
 * /srv/files (shop-app-1) is backed up as a directory and restored into /srv/restored of science's
 * `notebook` container; science's own dockerd then shows the files there.
 */
test('restore a directory into another directory of another container; /etc is refused', async ({ app, lab, page }) => {
  test.setTimeout(180_000);
  const science = lab.machines.science;
  await docker(science.localSocket, 'exec', 'notebook', 'rm', '-rf', '/srv/restored');
  const backup = await backupWithCli({ host: 'production', repo: 'lab-s3', set: 'shop-conf', directories: ['shop-app-1:/srv/files'] });
  const source = backup.sources[0]!.name;

  await app.open();
  await page.goto(`${APP_PATH}#/restore?repo=lab-s3&snapshot=${encodeURIComponent(backup.snapshotId)}`);
  const heading = page.locator('#wizard-step-heading');
  await expect(page.getByTestId('snapshot-trust')).toContainText('Signed by');
  const next = page.getByRole('button', { name: /^Next/ });
  await next.click();

  await expect(heading).toContainText('Where to restore it');
  await page.getByRole('radiogroup', { name: 'Target host' }).getByRole('radio', { name: 'science', exact: true }).check();
  const row = page.getByTestId(`target-${source}`);
  await row.getByLabel('Container', { exact: true }).selectOption('notebook');
  const dir = row.getByLabel('Directory in the container');
  await expect(dir).toHaveValue('/srv/files');
  await dir.fill('/etc');
  await expect(row).toContainText('/etc is a system directory');
  await expect(next).toBeDisabled();
  await dir.fill('/srv/restored');
  await expect(row).toContainText('Backed up from /srv/files');
  await app.shot('39-restore-directory-where', page.locator('main'));
  await expect(next).toBeEnabled();

  // Pre-flight, plan (it names the new directory), confirm, run.
  for (let i = 0; i < 3; i++) {
    await next.click();
    if (i === 1) await expect(page.getByRole('list', { name: 'Plan steps' })).toContainText('/srv/restored', { timeout: 60_000 });
    await expect(next.or(page.getByRole('button', { name: 'Start the restore' })).first()).toBeEnabled({ timeout: 60_000 });
  }
  await page.getByRole('button', { name: 'Start the restore' }).click();
  await expect(page.getByRole('button', { name: /^See the result/ })).toBeEnabled({ timeout: 120_000 });
  await page.getByRole('button', { name: /^See the result/ }).click();
  await expect(page.getByTestId('restore-result')).toHaveAttribute('data-outcome', 'passed');

  const listed = await docker(science.localSocket, 'exec', 'notebook', 'ls', '/srv/restored');
  expect(listed).toContain('README.txt');
  // Where it came from is untouched on science (there is no /srv/files there at all).
  await expect(docker(science.localSocket, 'exec', 'notebook', 'ls', '/srv/files')).rejects.toThrow();
});
