import { backupWithCli, hindsightCli as hindsight } from './support/cli-backup.js';
import { docker } from './support/docker.js';
import { expect, test } from './support/fixtures.js';

/**
 * PostgreSQL point-in-time recovery on the timeline (issue 10 item 2): science's agent archives
 * a PostgreSQL 15 into the lab's S3 (`hindsight pitr enable`), and the Snapshots screen draws the
 * cluster's recoverable window as a band below the backup sets, with the span in words and the
 * command that recovers to any moment of it. Then, by clicking: "Recover to a moment…", a second
 * between two batches of rows, a PostgreSQL on science as the target, the plan, the run with its
 * steps (science's agent does it) — and the target holds the rows from before, not those after.
 */
test('the recoverable window of an archived PostgreSQL on the timeline', async ({ app, page, lab }) => {
  test.setTimeout(300_000);
  const science = lab.machines.science;
  const set = `e2e-pitr-${Date.now().toString(36)}`;
  const db = 'e2e-pitr-db';
  const target = 'e2e-pitr-target';
  const sql = (c: string, q: string) => docker(science.localSocket, 'exec', c, 'psql', '-U', 'postgres', '-Atc', q);
  try {
    for (const c of [db, target]) await docker(science.localSocket, 'rm', '-f', c).catch(() => undefined);
    await docker(science.localSocket, 'volume', 'rm', '-f', `${target}-data`).catch(() => undefined);
    await docker(science.localSocket, 'run', '-d', '--name', db, '--network', 'none', 'hindsight-lab/postgres:15');
    await docker(science.localSocket, 'run', '-d', '--name', target, '--network', 'none', '-v', `${target}-data:/var/lib/postgresql/data`, 'hindsight-lab/postgres:15');
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

    // Rows before a second and after it; the archive made to cover it (a step ships the WAL).
    await sql(db, "CREATE TABLE t (tag text); INSERT INTO t SELECT 'before' FROM generate_series(1, 100)");
    await new Promise((r) => setTimeout(r, 1500));
    const at = Math.floor(Date.now() / 1000) * 1000;
    await new Promise((r) => setTimeout(r, 1500));
    await sql(db, "INSERT INTO t SELECT 'after' FROM generate_series(1, 50)");
    await sql(db, 'SELECT pg_switch_wal()');
    await expect(async () => {
      await docker(science.localSocket, 'exec', 'hindsight-agent', '/usr/local/bin/hindsight-agent', 'pitr-step', '--json');
      const status = JSON.parse(await hindsight('pitr', 'status', '--repo', 'lab-s3', '--json')) as { clusters: { cluster: string; windows: { to: string }[] }[] };
      expect(Date.parse(status.clusters.find((c) => c.cluster === cluster)?.windows[0]?.to ?? '0')).toBeGreaterThan(at + 1000);
    }).toPass({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Reload snapshots' }).click();

    await windowCard.getByTestId('pitr-recover-open').click();
    const dialog = page.getByRole('dialog');
    // The moment in the page's own time zone, as a person would type it.
    const local = await page.evaluate((ms) => {
      const d = new Date(ms);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    }, at);
    await dialog.getByTestId('pitr-moment').fill(local);
    await dialog.getByLabel('Target host').selectOption({ label: 'science' });
    await expect(dialog.getByLabel('PostgreSQL container to replace').locator('option', { hasText: target })).toHaveCount(1, { timeout: 30_000 });
    await dialog.getByLabel('PostgreSQL container to replace').selectOption(target);
    await dialog.getByRole('button', { name: 'Show the plan' }).click();
    await expect(dialog.getByTestId('pitr-plan')).toContainText(`${target}-data`, { timeout: 30_000 });
    await app.shot('65-pitr-recover-plan', dialog);
    await dialog.getByTestId('pitr-recover-start').click();
    await expect(dialog.getByTestId('pitr-recover-done')).toContainText(`${target} on science is now cluster ${cluster}`, { timeout: 180_000 });
    await expect(dialog.getByText('Replay cluster')).toBeVisible();
    await app.shot('66-pitr-recover-done', dialog);
    expect(await sql(target, "SELECT count(*) FILTER (WHERE tag = 'before') || ' ' || count(*) FILTER (WHERE tag = 'after') FROM t")).toBe('100 0');
    await dialog.locator('.dialog-footer').getByRole('button', { name: 'Close' }).click();

    // An operation like a restore: listed, with its steps and its log after a reload.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Operations/ }).click();
    const row = page.getByRole('table', { name: 'Operations' }).getByRole('row', { name: new RegExp(`Recover PostgreSQL cluster ${cluster}`) }).first();
    await expect(row).toContainText('Succeeded');
    await row.getByRole('link').click();
    await page.reload();
    const opView = page.getByTestId('operation-view');
    await expect(opView).toHaveAttribute('data-state', 'succeeded');
    await expect(opView.getByTestId('operation-step')).toHaveCount(7);
    await expect(page.getByTestId('operation-log').locator('.log-line').first()).toBeVisible();
    await expect(page.getByTestId('operation-result')).toContainText(`Recovery complete`);
    await expect(page.getByTestId('operation-result')).toContainText(`cluster ${cluster} as it was at`);
    await expect(page.getByTestId('operation-result').getByTestId('snapshot-link')).toHaveCount(0);
    await app.shot('67-pitr-operation');
  } finally {
    await hindsight('pitr', 'disable', '--host', 'science', '--postgres', db, '--repo', 'lab-s3').catch(() => undefined);
    await hindsight('agent', 'remove', 'science', '--purge').catch(() => undefined);
    for (const c of [db, target]) await docker(science.localSocket, 'rm', '-f', c).catch(() => undefined);
    const volumes = (await docker(science.localSocket, 'volume', 'ls', '-q').catch(() => '')).split('\n').filter((v) => v.startsWith(`${target}-data`) || v.startsWith('hindsight-safety-'));
    for (const v of volumes) await docker(science.localSocket, 'volume', 'rm', '-f', v).catch(() => undefined);
  }
});
