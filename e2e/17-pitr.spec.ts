import { backupWithCli, hindsightCli as hindsight } from './support/cli-backup.js';
import { docker } from './support/docker.js';
import { expect, test } from './support/fixtures.js';

/**
 * PostgreSQL point-in-time recovery on the timeline (issue 10 item 2): science's agent archives
 * a PostgreSQL 15 into the lab's S3 (`hindsight pitr enable`), and the Snapshots screen draws the
 * cluster's recoverable window as a band below the backup sets, with the span in words and the
 * command that recovers to any moment of it. The restore itself is tested through the CLI
 * (agent-pitr.int.test.ts).
 */
test('the recoverable window of an archived PostgreSQL on the timeline', async ({ app, page, lab }) => {
  test.setTimeout(300_000);
  const science = lab.machines.science;
  const set = `e2e-pitr-${Date.now().toString(36)}`;
  const db = 'e2e-pitr-db';
  try {
    await docker(science.localSocket, 'rm', '-f', db).catch(() => undefined);
    await docker(science.localSocket, 'run', '-d', '--name', db, '--network', 'none', 'hindsight-lab/postgres:15');
    await expect(async () => expect(await docker(science.localSocket, 'exec', db, 'psql', '-U', 'postgres', '-Atc', 'SELECT 1')).toContain('1')).toPass({ timeout: 60_000 });
    await hindsight('agent', 'install', 'science');
    await backupWithCli({ host: 'science', repo: 'lab-s3', set, postgres: [db], note: 'e2e: point-in-time' });
    const { cluster } = JSON.parse(await hindsight('pitr', 'enable', '--host', 'science', '--postgres', db, '--repo', 'lab-s3', '--json')) as { cluster: string };
    const windowCard = page.locator(`[data-testid="pitr-window"][data-cluster="${cluster}"]`);
    await app.open();
    await page.getByRole('link', { name: 'Snapshots' }).first().click();
    await page.getByTestId('repository-select').selectOption('lab-s3');
    // The agent takes a step a minute; one now, as its scheduler does, ships the base backup's WAL.
    await expect(async () => {
      await docker(science.localSocket, 'exec', 'hindsight-agent', '/usr/local/bin/hindsight-agent', 'pitr-step', '--json');
      await page.getByRole('button', { name: 'Reload snapshots' }).click();
      await expect(windowCard).toContainText('Recoverable to any moment from', { timeout: 5_000 });
    }).toPass({ timeout: 120_000 });
    await expect(windowCard).toContainText(`PostgreSQL ${db} on science`);
    await expect(windowCard).toContainText('1 base backup');
    await expect(page.getByRole('list', { name: 'Legend' })).toContainText('point-in-time');
    await expect(page.getByTestId('timeline-axis').getByRole('img')).toHaveAttribute('aria-label', /point-in-time window band/);
    await app.shot('64-pitr-window', page.locator('.timeline-card'));
  } finally {
    await hindsight('pitr', 'disable', '--host', 'science', '--postgres', db, '--repo', 'lab-s3').catch(() => undefined);
    await hindsight('agent', 'remove', 'science', '--purge').catch(() => undefined);
    await docker(science.localSocket, 'rm', '-f', db).catch(() => undefined);
  }
});
