/**
 * The log drawer fed a flood: a busybox container on the lab's science host printing numbered
 * lines as fast as its shell can (~20,000 lines/s on the lab), followed in the drawer for 10 s.
 * Same technique as e2e/06-log-flood.spec.ts, measured rather than asserted.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { readLab } from '../../electron/core/testing/lab.js';
import { installFrameRecorder, readFrames, resetFrames, type FrameFigures } from './frames.js';

const run = promisify(execFile);
const LABEL = 'org.hindsight.bench=flood';
// 20,000 lines at the start of each second, then idle until the next one: ~20,000 lines/s as long
// as the shell can print that many in a second (it does ~70,000/s flat out on the lab).
const RATE = Number(process.env.BENCH_LOG_RATE ?? 20_000);
const LOOP =
  `i=0; while :; do s=$(date +%s); j=0; while [ $j -lt ${RATE} ]; do i=$((i+1)); j=$((j+1)); ` +
  'echo "flood line $i the quick brown fox jumps over the lazy dog"; done; ' +
  'while [ "$(date +%s)" = "$s" ]; do usleep 20000; done; done';
const SECONDS = 10;

export interface LogFloodFigures {
  engineLinesPerSec: number;
  newestAdvancePerSec: number;
  /** Lines/s the server's bounded queue dropped ("N lines skipped" in the drawer's footer). */
  skippedPerSec: number;
  frames: FrameFigures;
  maxDomRows: number;
}

async function docker(socket: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('docker', ['-H', `unix://${socket}`, ...args], { timeout: 30_000 });
  return stdout.trim();
}

const num = (s: string | undefined) => Number((s ?? '0').replace(/,/g, ''));

export async function runLogFlood(page: Page, base: string): Promise<LogFloodFigures> {
  const science = readLab().machines.science;
  const socket = science.localSocket;
  const name = `bench-flood-${randomBytes(3).toString('hex')}`;
  const removeFloods = async () => {
    const ids = (await docker(socket, 'ps', '-aq', '--filter', `label=${LABEL}`)).split('\n').filter(Boolean);
    if (ids.length) await docker(socket, 'rm', '-f', ...ids);
  };
  await removeFloods();
  await docker(socket, 'run', '-d', '--name', name, '--label', LABEL, '--log-opt', 'max-size=20m', '--log-opt', 'max-file=2', 'hindsight-lab/busybox:latest', 'sh', '-c', LOOP);
  const engineNewest = async () => Number(/flood line (\d+)/.exec(await docker(socket, 'logs', '--tail', '1', name))?.[1] ?? 0);
  try {
    await page.goto(`${base}#/hosts/${encodeURIComponent(science.name)}`);
    const hosts = page.getByRole('navigation', { name: 'Hosts' });
    await hosts.getByRole('link', { name: new RegExp(`^${science.name},`) }).click();
    const row = page.getByRole('table', { name: 'Containers' }).getByRole('row', { name, exact: true });
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: `Logs of ${name}` }).click();
    const drawer = page.getByRole('region', { name: `Logs of ${name}` });
    await drawer.locator('.log-line').first().waitFor({ timeout: 20_000 });

    const look = () =>
      drawer.evaluate((root) => {
        const rows = root.querySelectorAll('.log-line');
        return {
          rows: rows.length,
          newest: Number(/flood line (\d+)/.exec(rows[rows.length - 1]?.textContent ?? '')?.[1] ?? 0),
          footer: root.querySelector('.logs-footer')?.textContent ?? '',
        };
      });
    const skipped = (footer: string) => num(/([\d,]+) lines? skipped/.exec(footer)?.[1]);

    await installFrameRecorder(page);
    await resetFrames(page);
    const e0 = { n: await engineNewest(), t: Date.now() };
    const start = await look();
    const t0 = Date.now();
    let maxDomRows = 0;
    while (Date.now() - t0 < SECONDS * 1000) {
      await page.waitForTimeout(1000);
      maxDomRows = Math.max(maxDomRows, (await look()).rows);
    }
    const end = await look();
    const seconds = (Date.now() - t0) / 1000;
    const frames = await readFrames(page);
    const e1 = { n: await engineNewest(), t: Date.now() };
    return {
      engineLinesPerSec: Math.round((e1.n - e0.n) / ((e1.t - e0.t) / 1000)),
      newestAdvancePerSec: Math.round((end.newest - start.newest) / seconds),
      skippedPerSec: Math.round((skipped(end.footer) - skipped(start.footer)) / seconds),
      frames,
      maxDomRows,
    };
  } finally {
    await removeFloods();
  }
}
