/// <reference lib="dom" />
/**
 * Where a cold open's time goes, from Chromium's own trace: the 10,000-snapshot timeline opened in
 * a new tab (after the app's first page, as bench/ui), traced, and the app renderer's main-thread
 * tasks printed from navigation to the first row (start, length, what ran in them). Tracing slows
 * the page (the figures run ~30 % above bench/ui's); `--keep` saves the trace (with V8's CPU
 * samples) to open in Chromium's DevTools, Performance panel, for the functions.
 *
 *   npm run build && npx tsx bench/ui/trace-cold-open.ts [--static-dir DIR] [--keep trace.json]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { BENCH_REPOSITORY_ID, buildCatalog, prepareConfig } from './prepare-config.js';
import { BENCH_CHROMIUM_ARGS } from './browser-args.js';
import { paintedAt, watchFirstRows } from './first-paint.js';
import { LocalBackend } from '../../electron/core/repository/index.js';

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: Record<string, unknown>; cat?: string }

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { 'static-dir': { type: 'string' }, keep: { type: 'string' } } });
const dir = mkdtempSync(path.join(tmpdir(), 'trace-cold-'));
const seeded = prepareConfig(dir, 10_000);
await buildCatalog(new LocalBackend(seeded.repositoryPath));
const port = 7470;
const child = spawn(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'dist/web/server.js'), '--port', String(port), ...(values['static-dir'] ? ['--static-dir', values['static-dir']] : [])], {
  cwd: root,
  env: { ...process.env, HINDSIGHT_CONFIG_DIR: dir, HINDSIGHT_WEB_TOKEN: 't' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((r) => child.stdout!.on('data', (b: Buffer) => b.toString().includes('http://') && r()));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BENCH_CHROMIUM_ARGS });
const url = `http://127.0.0.1:${port}/?token=t#/snapshots?repo=${BENCH_REPOSITORY_ID}`;
try {
  const open = async (trace?: string) => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript('globalThis.__name = (f) => f'); // tsx wraps named functions in __name()
    await page.addInitScript(watchFirstRows);
    if (trace) await browser.startTracing(page, { path: trace, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink', 'loading', 'toplevel', 'netlog', 'disabled-by-default-v8.compile', 'blink.user_timing', 'disabled-by-default-v8.cpu_profiler'] });
    await page.goto(url);
    const row = await paintedAt(page, 'row');
    const evaluated = await page.evaluate(() => performance.getEntriesByName('hindsight-script-evaluated')[0]?.startTime ?? NaN);
    if (trace) await browser.stopTracing();
    await page.close();
    return { row, evaluated };
  };
  await open(); // the app's first page: the new tab after it is what is traced
  await new Promise((r) => setTimeout(r, 2000));
  const file = values.keep ?? path.join(dir, 'trace.json');
  const { row, evaluated } = await open(file);
  summarize(JSON.parse(readFileSync(file, 'utf8')).traceEvents as TraceEvent[], row, evaluated);
} finally {
  await browser.close();
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}

function summarize(events: TraceEvent[], row: number, evaluated: number): void {
  const threads = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, String(e.args?.name));
  // The page's own mark, in the trace and in the page's clock (ms since its navigation started),
  // gives both the app's main thread and the trace time of the navigation's start.
  const nav = events.find((e) => e.name === 'hindsight-script-evaluated' && (e.cat ?? '').includes('user_timing'));
  if (!nav) throw new Error('the app\'s mark is not in the trace');
  const main = events.filter((e) => e.pid === nav.pid && e.tid === nav.tid);
  const t0 = nav.ts - evaluated * 1000;
  const end = t0 + row * 1000 + 50_000;
  const all = main.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.ts >= t0 - 5000 && e.ts <= end);
  // Top-level tasks only (a RunTask nests another of the same span).
  const tasks = all.filter((t) => (t.dur ?? 0) >= 2000 && !all.some((o) => o !== t && o.ts <= t.ts && o.ts + o.dur! >= t.ts + t.dur! && (o.ts < t.ts || o.dur! > t.dur! || all.indexOf(o) < all.indexOf(t))));
  const marks = events.filter((e) => e.pid === nav.pid && (e.cat ?? '').includes('user_timing') && e.name.startsWith('hindsight')).map((e) => `${e.name.replace('hindsight-', '')} ${((e.ts - t0) / 1000).toFixed(0)}`);
  console.log(`page marks: ${[...new Set(marks)].join(' · ')}`);
  console.log(`first row painted at ${Math.round(row)} ms; main-thread tasks ≥ 2 ms after navigation start (ms):`);
  const interesting = new Set(['EvaluateScript', 'v8.compileModule', 'v8.evaluateModule', 'FunctionCall', 'ParseHTML', 'ParseAuthorStyleSheet', 'Layout', 'UpdateLayoutTree', 'Paint', 'PrePaint', 'Layerize', 'TimerFire', 'EventDispatch', 'MinorGC', 'MajorGC']);
  let busy = 0;
  for (const t of tasks) {
    const inside = main.filter((e) => e.ph === 'X' && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur! && interesting.has(e.name) && (e.dur ?? 0) >= 1000);
    const parts = new Map<string, number>();
    for (const e of inside) {
      const data = e.args?.data as { functionName?: string; url?: string; type?: string } | undefined;
      const name = e.name === 'FunctionCall' ? `call ${data?.functionName || '?'}` : e.name === 'EventDispatch' ? `event ${data?.type}` : e.name;
      parts.set(name, (parts.get(name) ?? 0) + e.dur!);
    }
    busy += t.dur!;
    const what = [...parts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, d]) => `${n} ${(d / 1000).toFixed(1)}`).join(', ');
    console.log(`  ${((t.ts - t0) / 1000).toFixed(0).padStart(5)} +${(t.dur! / 1000).toFixed(1).padStart(6)}  ${what}`);
  }
  console.log(`busy ${(busy / 1000).toFixed(0)} ms of ${Math.round(row)} ms (${threads.get(`${nav.pid}:${nav.tid}`)})`);
}
