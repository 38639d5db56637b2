import { hindsightCli as hindsight } from './support/cli-backup.js';
import { APP_PATH } from './support/env.js';
import { expect, test } from './support/fixtures.js';

/**
 * The agent and a plan, by clicking (issue 9): on science's host page, install the agent; on the
 * Backups screen, make a plan of one volume to the lab's S3 with a one-minute schedule; the agent
 * runs it with nobody clicking "Run now" — the plan turns "on time", the staleness view shows the
 * service on time, and the snapshot is on the timeline, written by agent@science. The plan backs
 * the volume up in incremental levels: a second run is a level 1, restored (both levels) by the agent.
 */
test('install the agent, create a plan, watch its first run arrive', async ({ app, page }) => {
  test.setTimeout(300_000);
  const plan = `e2e-agent-${Date.now().toString(36)}`;
  try {
    await app.open();
    await app.openHost('science');
    const card = page.getByTestId('agent-card');
    await expect(card).toContainText('No agent on science', { timeout: 30_000 });
    await app.shot('56-agent-not-installed', card);
    await card.getByRole('button', { name: 'Install agent' }).click();
    await expect(card.getByTestId('agent-busy')).toBeVisible();
    await expect(card.getByTestId('agent-state')).toHaveText('running', { timeout: 120_000 });
    await expect(card).toContainText('signing key trusted for science');
    await app.shot('57-agent-installed', card);

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Backups/ }).click();
    await page.getByRole('button', { name: 'New plan' }).click();
    const dialog = page.getByRole('dialog', { name: 'New backup plan' });
    await dialog.getByLabel('Host').selectOption({ label: 'science' });
    await dialog.getByLabel('Plan name').fill(plan);
    await dialog.getByLabel('Repository').selectOption({ label: 'lab-s3 (s3)' });
    const sources = dialog.getByRole('group', { name: 'Sources to back up' });
    await expect(sources.getByRole('checkbox').first()).toBeVisible({ timeout: 30_000 });
    // Only the science_data volume: untick whatever else was recommended.
    for (const box of await sources.getByRole('checkbox').all()) if (await box.isChecked()) await box.uncheck();
    await sources.getByRole('checkbox', { name: /science_data/ }).check();
    // Incremental levels (issue 10): each run stores what changed since the one before.
    await dialog.getByRole('checkbox', { name: 'Volumes in incremental levels' }).check();
    await dialog.getByRole('radio', { name: 'Custom' }).click();
    await dialog.getByLabel('Cron').fill('* * * * *');
    await dialog.getByLabel('Time zone').fill('UTC');
    await dialog.getByLabel('Last').fill('3');
    await expect(dialog.getByTestId('plan-runs-where')).toContainText("science's agent runs this plan on schedule");
    await app.shot('58-new-plan', dialog);
    await dialog.getByRole('button', { name: 'Save plan' }).click();
    await expect(dialog).toBeHidden();

    // Nobody clicks "Run now": the agent runs it at the next minute, the screen re-reads every 15 s.
    await expect(page.getByTestId(`fresh-${plan}`)).toHaveText('on time', { timeout: 150_000 });
    const service = page.getByTestId('service-freshness');
    await expect(service.getByRole('row', { name: /science.*science_data/ })).toContainText('on time');
    await app.shot('59-plan-first-run', page.locator('main'));

    await page.getByRole('link', { name: 'Snapshots' }).first().click();
    await page.getByTestId('repository-select').selectOption('lab-s3');
    await page.getByTestId('filter-set').selectOption(plan);
    const row = page.locator('[data-testid="snapshot-row"]').first();
    await expect(row).toContainText('science', { timeout: 30_000 });
    await expect(row).toContainText('science_data');
    await app.shot('60-agent-snapshot-on-timeline');

    // A second run, now: a level 1 — what changed since the first run, on top of it.
    await hindsight('plans', 'run', plan);
    const plans = JSON.parse(await hindsight('plans', 'list', '--json')) as { name: string; lastGoodBackup: { snapshotId?: string } | null }[];
    const snapshotId = plans.find((p) => p.name === plan)?.lastGoodBackup?.snapshotId;
    expect(snapshotId).toBeTruthy();
    await page.goto(`${APP_PATH}#/snapshots/lab-s3/${encodeURIComponent(snapshotId!)}`);
    const level = page.getByTestId('level-note');
    await expect(level).toContainText('level 1', { timeout: 30_000 });
    await expect(level).toContainText('on 1 earlier level');
    await app.shot('63-incremental-level', page.locator('main'));

    // That level restored over science_data itself: its two levels extracted in order by science's
    // agent; the safety copy of the volume is another volume on science, never sent to this
    // computer (restore/host-safety.ts).
    await page.goto(`${APP_PATH}#/restore?repo=lab-s3&snapshot=${encodeURIComponent(snapshotId!)}`);
    const heading = page.locator('#wizard-step-heading');
    const next = page.getByRole('button', { name: /^Next/ });
    await expect(page.getByTestId('snapshot-trust')).toContainText('Signed by');
    await next.click();
    await expect(heading).toContainText('Where to restore it');
    await page.getByRole('radiogroup', { name: 'Target host' }).getByRole('radio', { name: 'science', exact: true }).check();
    await expect(page.getByTestId('target-science_data')).toContainText('existing volume');
    await next.click();
    const checks = page.getByRole('list', { name: 'Pre-flight checks' });
    await expect(checks).toContainText('kept on the host', { timeout: 60_000 });
    await expect(next).toBeEnabled({ timeout: 60_000 });
    await next.click();
    const steps = page.getByRole('list', { name: 'Plan steps' });
    await expect(steps).toContainText('into a new volume on the host (kept there, never sent here)', { timeout: 60_000 });
    await expect(steps).toContainText('extract the 2 levels of');
    await app.shot('61-restore-safety-copy-on-host', page.locator('main'));
    await next.click();
    await page.getByRole('button', { name: 'Start the restore' }).click();
    await expect(page.getByRole('button', { name: /^See the result/ })).toBeEnabled({ timeout: 120_000 });
    await expect(page.getByTestId('operation-view')).toContainText(/kept on science/);
    await app.shot('62-restore-safety-copy-on-host-run', page.locator('main'));
    await page.getByRole('button', { name: /^See the result/ }).click();
    await expect(page.getByTestId('restore-result')).toHaveAttribute('data-outcome', 'passed');
  } finally {
    await hindsight('plans', 'remove', plan).catch(() => undefined);
    await hindsight('agent', 'remove', 'science', '--purge').catch(() => undefined);
  }
});
