import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { backupWithCli } from './support/cli-backup.js';
import { expect, test } from './support/fixtures.js';
import { APP_PATH } from './support/env.js';

/**
 * Someone who can write the bucket (not the console) strips the signature from a manifest in the
 * lab's S3 repository — as a planted snapshot would be. The wizard says no writer you trust signed
 * it, and will not go on until "accept" is typed; a signed one shows who signed it.
 */
test('a snapshot no trusted writer signed needs "accept" typed in the restore wizard', async ({ app, lab, page }) => {
  test.setTimeout(180_000);
  const signed = await backupWithCli({ host: 'production', repo: 'lab-s3', set: 'planted', volumes: ['shop_files'] });
  const planted = await backupWithCli({ host: 'production', repo: 'lab-s3', set: 'planted', volumes: ['shop_files'] });

  // Strip the signature, straight through the S3 API (the console is not involved).
  const s3 = lab.s3!;
  const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  const Key = `repo/${planted.manifestKey}`;
  const manifest = JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: 'hindsight-lab', Key }))).Body!.transformToString()) as Record<string, unknown>;
  expect(manifest.signature).toBeDefined();
  delete manifest.signature;
  await client.send(new PutObjectCommand({ Bucket: 'hindsight-lab', Key, Body: JSON.stringify(manifest, null, 2), ContentType: 'application/json' }));
  client.destroy();

  await app.open();
  const next = page.getByRole('button', { name: /^Next/ });
  // The signed one: who signed it, and the wizard may go on.
  await page.goto(`${APP_PATH}#/restore?repo=lab-s3&snapshot=${encodeURIComponent(signed.snapshotId)}`);
  await expect(page.getByTestId('snapshot-trust')).toContainText('Signed by console@');
  await expect(next).toBeEnabled();

  // The planted one: refused until "accept" is typed.
  await page.goto(`${APP_PATH}#/restore?repo=lab-s3&snapshot=${encodeURIComponent(planted.snapshotId)}`);
  const warning = page.getByTestId('snapshot-trust');
  await expect(warning).toContainText('No writer you trust signed this snapshot');
  await expect(warning).toContainText('not signed');
  await expect(next).toBeDisabled();
  await app.shot('26-untrusted-snapshot', page.locator('main'));
  await warning.getByLabel('Type accept to restore it anyway').fill('acc');
  await expect(next).toBeDisabled();
  await warning.getByLabel('Type accept to restore it anyway').fill('accept');
  await expect(next).toBeEnabled();

  // Accepted: the pre-flight runs against the backend with allowUnsigned (it refuses without it).
  await next.click();
  await page.getByRole('radiogroup', { name: 'Target host' }).getByRole('radio', { name: 'science' }).check();
  await next.click();
  await expect(page.getByRole('heading', { name: 'Pre-flight checks' })).toBeVisible();
  await expect(page.getByText('Could not')).toHaveCount(0);
});
