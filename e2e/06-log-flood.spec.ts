import { randomBytes } from 'node:crypto';
import { readLab } from '../electron/core/testing/lab.js';
import { LogsDrawer } from './pages/LogsDrawer.js';
import { docker } from './support/docker.js';
import { ensureHost, expect, test } from './support/fixtures.js';

/**
 * The issue: live logs must "survive a flood of lines without freezing". A real container on the
 * lab's uat engine prints numbered lines as fast as it can; the drawer must stay virtualized, keep
 * its bounded buffer, keep following, and the page must keep rendering frames and answer clicks.
 * Bounds are loose on purpose (the machine is noisy): they catch a freeze, not a slow frame.
 */

const FLOOD_LABEL = 'org.hindsight.test=flood';
const FLOOD = `flood-${randomBytes(4).toString('hex')}`;
// busybox sh: `echo` is a builtin, so this is as fast as the shell and the engine's log writer go.
const LOOP = 'i=0; while :; do i=$((i+1)); echo "flood line $i the quick brown fox jumps over the lazy dog"; done';
const FLOOD_SECONDS = 10;

const uatSocket = () => readLab().machines.uat.localSocket;

/** Our flood containers only (by label): a leftover of an interrupted run, or this run's. */
async function removeFloods(): Promise<void> {
  const ids = (await docker(uatSocket(), 'ps', '-aq', '--filter', `label=${FLOOD_LABEL}`)).split('\n').filter(Boolean);
  if (ids.length) await docker(uatSocket(), 'rm', '-f', ...ids);
}

/** The newest line number the engine has for the flood (`docker logs --tail 1`). */
async function engineNewest(): Promise<number> {
  const out = await docker(uatSocket(), 'logs', '--tail', '1', FLOOD);
  return Number(/flood line (\d+)/.exec(out)?.[1] ?? 0);
}

const num = (s: string | undefined) => Number((s ?? '0').replace(/,/g, ''));

test.beforeAll(removeFloods);
test.afterAll(removeFloods);

test('live logs survive a flood of lines: virtualized, bounded, following, responsive; pause and resume', async ({ app, hostPage, lab, page }) => {
  test.setTimeout(150_000);
  const uat = lab.machines.uat;
  await ensureHost(app, uat);

  // The flood, straight on the engine. Its log file is capped so a slow run cannot fill the disk.
  await docker(uat.localSocket, 'run', '-d', '--name', FLOOD, '--label', FLOOD_LABEL, '--log-opt', 'max-size=20m', '--log-opt', 'max-file=2', 'hindsight-lab/busybox:latest', 'sh', '-c', LOOP);
  await expect.poll(engineNewest, { timeout: 15_000 }).toBeGreaterThan(0);
  const e0 = { n: await engineNewest(), t: Date.now() };

  // A fresh load so the host page lists the new container.
  await app.open();
  await app.openHost('uat');
  await expect(hostPage.container(FLOOD)).toBeVisible({ timeout: 30_000 });
  await hostPage.openLogs(FLOOD);
  const logs = new LogsDrawer(page, FLOOD);
  const state = logs.root.getByTestId('logs-state');
  await expect(logs.line(/flood line \d+/).first()).toBeVisible({ timeout: 20_000 });

  // In the page: a requestAnimationFrame loop recording every frame gap, and the frame at which a
  // click arrives and at which the drawer first shows "paused".
  await page.evaluate(() => {
    const f = { gaps: [] as number[], count: 0, last: performance.now(), clickFrame: -1, pausedFrame: -1 };
    (window as unknown as { __flood: typeof f }).__flood = f;
    document.addEventListener('click', () => f.clickFrame < 0 && (f.clickFrame = f.count), true);
    const tick = (t: number) => {
      f.gaps.push(t - f.last);
      f.last = t;
      f.count++;
      if (f.clickFrame >= 0 && f.pausedFrame < 0 && document.querySelector('[data-testid="logs-state"]')?.textContent === 'paused') f.pausedFrame = f.count;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

  /** One consistent look at the drawer: DOM rows, newest line number, footer figures. */
  const snapshot = () =>
    logs.root.evaluate((root) => {
      const rows = root.querySelectorAll('.log-line');
      const footer = root.querySelector('.logs-footer')?.textContent ?? '';
      return {
        rows: rows.length,
        newest: Number(/flood line (\d+)/.exec(rows[rows.length - 1]?.textContent ?? '')?.[1] ?? 0),
        footer,
      };
    });
  const buffered = (footer: string) => num(/^([\d,]+) lines?/.exec(footer)?.[1]);
  const skipped = (footer: string) => num(/([\d,]+) lines? skipped/.exec(footer)?.[1]);

  // ~10 s of flood, looked at about once a second (frame figures count from here).
  await page.evaluate(() => {
    const f = (window as unknown as { __flood: { gaps: number[]; count: number; last: number } }).__flood;
    f.gaps = [];
    f.count = 0;
  });
  const start = await snapshot();
  const t0 = Date.now();
  let prev = start;
  let maxRows = 0;
  let maxBuffered = 0;
  while (Date.now() - t0 < FLOOD_SECONDS * 1000) {
    await page.waitForTimeout(1000);
    // The view follows: the newest line number keeps going up (waits a little on a noisy machine).
    await expect.poll(async () => (await snapshot()).newest, { timeout: 10_000 }).toBeGreaterThan(prev.newest);
    const s = await snapshot();
    expect(s.rows, 'virtualized: only the rows in view (plus overscan) exist').toBeLessThan(200);
    expect(buffered(s.footer), 'the buffer is bounded').toBeLessThanOrEqual(10_000);
    maxRows = Math.max(maxRows, s.rows);
    maxBuffered = Math.max(maxBuffered, buffered(s.footer));
    prev = s;
  }
  const end = await snapshot();
  const seconds = (Date.now() - t0) / 1000;
  const e1 = { n: await engineNewest(), t: Date.now() };
  const frames = await page.evaluate(() => {
    const f = (window as unknown as { __flood: { gaps: number[]; count: number } }).__flood;
    const gaps = f.gaps.slice(1).sort((a, b) => a - b);
    return { count: f.count, max: gaps[gaps.length - 1] ?? 0, p95: gaps[Math.floor(gaps.length * 0.95)] ?? 0 };
  });
  // A frozen page renders no frames; a healthy one ~60/s. Loose: one frame every 166 ms on average.
  expect(frames.count, 'frames rendered during the flood').toBeGreaterThanOrEqual(FLOOD_SECONDS * 6);
  await expect(logs.root.getByText('keeping the last 10,000')).toBeVisible();
  await app.shot('18-log-flood');

  // Pause: answered within a bounded number of frames; the view freezes while new lines are counted.
  await logs.pause();
  await expect(state).toHaveText('paused');
  const click = await page.evaluate(() => {
    const f = (window as unknown as { __flood: { clickFrame: number; pausedFrame: number } }).__flood;
    return f.pausedFrame - f.clickFrame;
  });
  expect(click, 'frames between the click on Pause and the drawer showing "paused"').toBeLessThanOrEqual(30);
  const newLines = logs.root.getByRole('button', { name: /new lines?$/ });
  await expect(newLines).toBeVisible({ timeout: 10_000 });
  const frozen = await snapshot();
  const p0 = { n: num(/^[\d,]+/.exec(await newLines.innerText())?.[0]), t: Date.now() };
  await page.waitForTimeout(3000);
  await expect.poll(async () => num(/^[\d,]+/.exec(await newLines.innerText())?.[0]), { timeout: 10_000 }).toBeGreaterThan(p0.n);
  const p1 = { n: num(/^[\d,]+/.exec(await newLines.innerText())?.[0]), t: Date.now() };
  expect((await snapshot()).newest, 'paused: the view is frozen').toBe(frozen.newest);

  // Resume: following again, newer lines than the frozen view.
  await logs.resume();
  await expect(state).toHaveText('following');
  await expect.poll(async () => (await snapshot()).newest, { timeout: 10_000 }).toBeGreaterThan(frozen.newest);

  const figures = {
    engineLinesPerSec: Math.round((e1.n - e0.n) / ((e1.t - e0.t) / 1000)),
    newestAdvancePerSec: Math.round((end.newest - start.newest) / seconds),
    deliveredPerSecFollowing: Math.round((end.newest - start.newest - (skipped(end.footer) - skipped(start.footer))) / seconds),
    deliveredPerSecPaused: Math.round((p1.n - p0.n) / ((p1.t - p0.t) / 1000)),
    skippedByServer: skipped(end.footer),
    framesIn10s: frames.count,
    maxFrameGapMs: Math.round(frames.max),
    p95FrameGapMs: Math.round(frames.p95 * 10) / 10,
    pauseClickFrames: click,
    maxDomRows: maxRows,
    maxBuffered,
  };
  console.log(`log flood figures: ${JSON.stringify(figures)}`);
  await logs.close();
});
