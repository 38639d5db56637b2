import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LogsDrawer } from './pages/LogsDrawer.js';
import { docker } from './support/docker.js';
import { ensureHost, expect, test } from './support/fixtures.js';

test.beforeEach(async ({ lab }) => {
  await docker(lab.machines.uat.localSocket, 'start', 'uat-web');
});

test('live logs of uat-web: new heartbeats and a marker written on the daemon appear', async ({ app, hostPage, lab, page }) => {
  const uat = lab.machines.uat;
  await ensureHost(app, uat);
  await app.openHost('uat');
  await hostPage.openLogs('uat-web');
  const logs = new LogsDrawer(page, 'uat-web');

  // A heartbeat every 2 s: a newer line must arrive at the bottom without any action from us.
  // (Heartbeat numbers restart with the container, so compare whole lines, which carry a timestamp.)
  await expect(logs.line(/heartbeat \d+/).first()).toBeVisible({ timeout: 15_000 });
  const before = await logs.lastLineText();
  await expect.poll(() => logs.lastLineText(), { timeout: 10_000 }).not.toBe(before);
  expect(await logs.lastLineText()).toMatch(/uat-web (heartbeat \d+|warning)/);

  const marker = `MARKER-${randomBytes(6).toString('hex')}`;
  await docker(uat.localSocket, 'exec', 'uat-web', 'sh', '-c', `echo ${marker} > /proc/1/fd/1`);
  await expect(logs.line(marker)).toHaveCount(1, { timeout: 10_000 });
  await expect(logs.line(marker)).toHaveText(new RegExp(`${marker}$`));
  await app.shot('06-logs-viewer');

  // Download: a .log file holding what is shown, timestamps first.
  const [download] = await Promise.all([page.waitForEvent('download'), logs.root.getByRole('button', { name: 'Download as .log' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^uat-web-\d{8}-\d{6}\.log$/);
  const text = readFileSync(await download.path(), 'utf8');
  expect(text).toMatch(new RegExp(`^\\S+Z ${marker}$`, 'm'));

  // The filter narrows the view to the marker only.
  await logs.filter.fill(marker.toLowerCase());
  await expect(logs.lines).toHaveCount(1);
  await app.shot('07-logs-filtered');
  // Copy: the visible (filtered) lines, as plain text.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await logs.root.getByRole('button', { name: 'Copy visible lines' }).click();
  await expect(app.toast('Copied 1 line')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${marker}\n`);
  await logs.filter.fill('');

  // Paused: the view is frozen while new lines are counted.
  await logs.pause();
  await expect(logs.root.getByRole('button', { name: /new lines?$/ })).toBeVisible({ timeout: 10_000 });
  await app.shot('08-logs-paused');
  await logs.resume();
  await logs.close();
});
