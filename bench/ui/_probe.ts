import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
const PORT = 7451;
const child = spawn('/work/main/node_modules/.bin/node', ['/work/main/dist/web/server.js', '--port', String(PORT)], { env: { ...process.env, HINDSIGHT_CONFIG_DIR: '/tmp/uib', HINDSIGHT_WEB_TOKEN: 't' }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((r) => child.stdout!.on('data', (b: Buffer) => b.toString().includes('http://') && r()));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
for (let i = 0; i < 3; i++) {
  const t0 = Date.now();
  const log: string[] = [];
  page.removeAllListeners('websocket');
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => { const m = String(f.payload).match(/"method":"([^"]+)"/); if (m) log.push(`${Date.now() - t0} sent ${m[1]}`); });
    ws.on('framereceived', (f) => { const p = String(f.payload); log.push(`${Date.now() - t0} recv ${p.length} bytes ${p.slice(0, 60)}`); });
  });
  await page.goto(`http://127.0.0.1:${PORT}/?token=t#/snapshots?repo=bench-local`);
  await page.locator('[data-testid="snapshot-row"]').first().waitFor();
  const first = await page.evaluate(() => performance.now());
  console.log(`run ${i}: first row at ${first.toFixed(0)} ms (page clock); wall ${Date.now() - t0}`);
  console.log(log.filter((l) => !l.includes('recv') || Number(l.split(' ')[2]) > 2000 || l.includes('"id"')).slice(0, 30).join('\n'));
  const nav = await page.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation').map((e) => ({ dcl: (e as PerformanceNavigationTiming).domContentLoadedEventEnd, load: (e as PerformanceNavigationTiming).loadEventEnd }))));
  console.log(nav);
}
await browser.close();
child.kill();
