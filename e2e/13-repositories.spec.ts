import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { expect, test } from './support/fixtures.js';
import type { Page } from '@playwright/test';

/**
 * A new user's first repositories, by clicking: an S3 bucket (the lab's second bucket, a fresh
 * prefix) and a directory on the SFTP backup server (its host key shown and trusted), each tested,
 * found empty, initialised after reading what will be written, and then used by a backup of
 * production's files volume. The objects are then looked for where they should be: in the bucket
 * through the S3 API, on the annex's disk.
 */
const run = Date.now().toString(36);

async function backUpFilesTo(page: Page, repoLabel: string) {
  await page.getByRole('button', { name: 'Back up stack shop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Back up stack shop on production' });
  const sources = dialog.getByRole('group', { name: 'Sources to back up' });
  await expect(sources.getByRole('checkbox').first()).toBeVisible({ timeout: 30_000 });
  await sources.getByRole('checkbox', { name: /PostgreSQL in shop-db-1/ }).uncheck();
  await dialog.getByLabel('Repository').selectOption({ label: repoLabel });
  await dialog.getByRole('button', { name: /^Back up 1 source$/ }).click();
  const done = dialog.getByTestId('backup-done');
  await expect(done).toBeVisible({ timeout: 120_000 });
  const snapshotId = (await done.getByTestId('snapshot-link').innerText()).trim();
  await dialog.getByRole('button', { name: 'Done' }).click();
  return snapshotId;
}

test('add, test and initialise an S3 and an SFTP repository, then back up to each', async ({ app, lab, page }) => {
  test.setTimeout(240_000);
  const s3 = lab.s3!;
  const annex = lab.annex!;
  await app.open();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Repositories/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Repositories' })).toBeVisible();

  // S3: the form, with a wrong field pointed at before anything is sent.
  await page.getByRole('button', { name: 'Add repository' }).click();
  let dialog = page.getByRole('dialog', { name: 'Add a repository' });
  await dialog.getByLabel('Name').fill('team-s3');
  await dialog.getByLabel('Endpoint').fill(s3.endpoint);
  await dialog.getByLabel('Bucket').fill('hindsight-e2e');
  await dialog.getByLabel('Prefix').fill(`run-${run}/`);
  await dialog.getByLabel('Access key id').fill(s3.accessKeyId);
  await dialog.getByRole('button', { name: 'Add and test' }).click();
  await expect(dialog.getByText('The secret access key.')).toBeVisible();
  await dialog.getByLabel('Secret access key').fill(s3.secretAccessKey);
  await app.shot('50-add-s3-repository', dialog);
  await dialog.getByRole('button', { name: 'Add and test' }).click();
  await expect(dialog).toHaveCount(0);

  const s3Card = page.getByRole('listitem', { name: 'team-s3' });
  const offer = s3Card.getByRole('region', { name: 'Initialise the repository' });
  await expect(offer).toContainText('is empty', { timeout: 30_000 });
  await expect(offer).toContainText('hindsight-repo.json');
  await expect(s3Card).toContainText('secret stored');
  await app.shot('51-repository-empty', s3Card);
  await offer.getByRole('button', { name: 'Initialise' }).click();
  await expect(s3Card.getByTestId('repo-check')).toContainText('Ready — a Hindsight repository (hindsight/1)', { timeout: 30_000 });

  // SFTP on the annex: its host key is unknown to this console, shown, compared, trusted.
  await page.getByRole('button', { name: 'Add repository' }).click();
  dialog = page.getByRole('dialog', { name: 'Add a repository' });
  await dialog.getByRole('radio', { name: 'SFTP server' }).click();
  await dialog.getByLabel('Name').fill('annex-e2e');
  await dialog.getByLabel('Server', { exact: true }).fill(annex.address);
  await dialog.getByLabel('Port', { exact: true }).fill(String(annex.port));
  await dialog.getByLabel('User', { exact: true }).fill(annex.user);
  await dialog.getByLabel('Private key file').fill(annex.keyPath);
  await dialog.getByLabel('Directory on the server').fill(`${annex.repoPath}/e2e-${run}`);
  await dialog.getByRole('button', { name: 'Add and test' }).click();
  const sftpCard = page.getByRole('listitem', { name: 'annex-e2e' });
  await expect(sftpCard.getByTestId('hostkey-fingerprint')).toHaveText(annex.hostKeyFingerprint, { timeout: 30_000 });
  await app.shot('52-repository-host-key', sftpCard);
  await sftpCard.getByRole('button', { name: 'Trust this host key' }).click();
  const sftpOffer = sftpCard.getByRole('region', { name: 'Initialise the repository' });
  await expect(sftpOffer).toContainText('is empty', { timeout: 30_000 });
  await sftpOffer.getByRole('button', { name: 'Initialise' }).click();
  await expect(sftpCard.getByTestId('repo-check')).toContainText('Ready', { timeout: 30_000 });
  await app.shot('53-repositories');

  // A backup into each, through the backup dialog.
  await app.openHost('production');
  const toS3 = await backUpFilesTo(page, 'team-s3 (s3)');
  const toAnnex = await backUpFilesTo(page, 'annex-e2e (sftp)');

  const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'hindsight-e2e', Prefix: `run-${run}/` }));
  client.destroy();
  const keys = (listed.Contents ?? []).map((o) => o.Key!);
  expect(keys).toContain(`run-${run}/hindsight-repo.json`);
  expect(keys.some((k) => k.endsWith(`/${toS3}.json`) && k.includes('/snapshots/'))).toBe(true);
  expect(keys.some((k) => k.startsWith(`run-${run}/data/${toS3}/`))).toBe(true);

  const onDisk = path.join(annex.hostRepoPath, `e2e-${run}`);
  expect(existsSync(path.join(onDisk, 'hindsight-repo.json'))).toBe(true);
  expect(readdirSync(path.join(onDisk, 'data', toAnnex)).length).toBeGreaterThan(0);
});
