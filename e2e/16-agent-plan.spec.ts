import { hindsightCli as hindsight } from './support/cli-backup.js';
import { expect, test } from './support/fixtures.js';

/**
 * The agent and a plan, by clicking (issue 9): on science's host page, install the agent; on the
 * Backups screen, make a plan of one volume to the lab's S3 with a one-minute schedule; the agent
 * runs it with nobody clicking "Run now" — the plan turns "on time", the staleness view shows the
 * service on time, and the snapshot is on the timeline, written by agent@science.
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
  } finally {
    await hindsight('plans', 'remove', plan).catch(() => undefined);
    await hindsight('agent', 'remove', 'science', '--purge').catch(() => undefined);
  }
});
