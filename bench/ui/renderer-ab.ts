/// <reference lib="dom" />
/**
 * Two built renderers side by side: the cold open of the 10,000-snapshot timeline (page load to
 * the first row), alternated round by round against one backend, medians printed. Single runs of
 * bench/ui vary by ±80 ms on the shared 2 cores; a change of 30–50 ms shows only this way.
 *
 *   npx vite build --outDir /tmp/rA   (at the old commit)   then   npm run build && cp -r dist/renderer /tmp/rB
 *   AB_DIRS=/tmp/rA,/tmp/rB AB_ROUNDS=16 npx tsx bench/ui/renderer-ab.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { BENCH_REPOSITORY_ID, buildCatalog, prepareConfig } from './prepare-config.js';
import { BENCH_CHROMIUM_ARGS } from './browser-args.js';
import { paintedAt, watchFirstRows } from './first-paint.js';
import { LocalBackend } from '../../electron/core/repository/index.js';
const root = '/work/main';
const dir = mkdtempSync(path.join(tmpdir(), 'ab-'));
const seeded = prepareConfig(dir, 10000);
await buildCatalog(new LocalBackend(seeded.repositoryPath));
const dirs = (process.env.AB_DIRS ?? '/tmp/rA,/tmp/rB').split(',');
const servers = await Promise.all(dirs.map(async (d, i) => {
  const port = 7460 + i;
  const child = spawn(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'dist/web/server.js'), '--port', String(port), '--static-dir', d], { cwd: root, env: { ...process.env, HINDSIGHT_CONFIG_DIR: dir, HINDSIGHT_WEB_TOKEN: 't' }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => child.stdout!.on('data', (b: Buffer) => b.toString().includes('http://') && r()));
  return { child, port, d };
}));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BENCH_CHROMIUM_ARGS });
const results = new Map<string, number[]>(dirs.map((d) => [d, []]));
for (let round = 0; round < Number(process.env.AB_ROUNDS ?? 8); round++) {
  for (const s of round % 2 ? [...servers].reverse() : servers) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.addInitScript('globalThis.__name = (f) => f');
    await page.addInitScript(watchFirstRows);
    await page.goto(`http://127.0.0.1:${s.port}/?token=t#/snapshots?repo=${BENCH_REPOSITORY_ID}`);
    results.get(s.d)!.push(await paintedAt(page, 'row'));
    if (process.env.AB_MARKS) {
      const marks = await page.evaluate(() => [...performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js')).map((r) => `${r.name.split('/').pop()!.slice(0, 5)} ${Math.round(r.startTime)}-${Math.round((r as PerformanceResourceTiming).responseEnd)}`), ...['hindsight-script-evaluated', 'hindsight-connected', 'hindsight-list-requested', 'hindsight-list-received'].map((n) => Math.round(performance.getEntriesByName(n)[0]?.startTime ?? NaN))].join(' '));
      console.log(path.basename(s.d), 'scripts, evaluated/connected/asked/answered', marks);
    }
    await ctx.close();
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const [d, a] of results) console.log(d, 'median', Math.round(med(a)), 'all', a.map(Math.round).join(' '));
await browser.close();
for (const s of servers) s.child.kill();
