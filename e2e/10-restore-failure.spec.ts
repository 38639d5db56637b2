import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { AppPage } from './pages/AppPage.js';
import { docker } from './support/docker.js';
import { e2eConfigDir as serverConfigDir } from './support/cli-backup.js';
import { E2E_PORT, E2E_TOKEN } from './support/env.js';
import { ensureHost, expect, test } from './support/fixtures.js';

const REPO = path.resolve(import.meta.dirname, '..');
const NODE = path.join(REPO, 'node_modules/.bin/node');
const CLI = path.join(REPO, 'bin/hindsight.mjs');

/**
 * The Hindsight CLI on a config dir; resolves with its exit code (null when killed) and output.
 * `killWhen` is polled while it runs: once it holds, the process is SIGKILLed (no cleanup at all).
 */
function cli(configDir: string, args: string[], opts: { killWhen?: (out: string) => Promise<boolean> } = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], { cwd: REPO, env: { ...process.env, HINDSIGHT_CONFIG_DIR: configDir } });
    let out = '';
    let polling = false;
    const poll = opts.killWhen
      ? setInterval(() => {
          if (polling) return;
          polling = true;
          opts.killWhen!(out).then(
            (yes) => {
              polling = false;
              if (yes) child.kill('SIGKILL');
            },
            () => (polling = false),
          );
        }, 50)
      : undefined;
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, out });
    });
  });
}

/** A snapshot of production's shop stack in lab-s3: the newest one, or a fresh one made by the CLI. */
async function shopSnapshot(configDir: string): Promise<string> {
  const listed = await cli(configDir, ['snapshots', '--repo', 'lab-s3', '--set', 'shop', '--json']);
  const ids = (JSON.parse(listed.out || '[]') as { id: string }[]).map((s) => s.id);
  if (ids.length) return ids[ids.length - 1]!;
  const made = await cli(configDir, ['backup', '--host', 'production', '--volume', 'shop_files', '--postgres', 'shop-db-1', '--repo', 'lab-s3', '--set', 'shop', '--json']);
  expect(made.code, made.out).toBe(0);
  return (JSON.parse(made.out) as { snapshotId: string }).snapshotId;
}

test('an interrupted restore is offered for rollback when the app starts, and the rollback undoes it', async ({ app, lab, page }) => {
  test.setTimeout(180_000);
  const science = lab.machines.science;
  const volume = `hs-e2e-interrupted-${Date.now().toString(36)}`;
  const configDir = serverConfigDir();
  const snapshot = await shopSnapshot(configDir);

  // A restore onto science whose process dies during its pre-flight (as if the app was killed): its
  // journal stays "running" on disk with nobody running it. (Killed before it touches science: a
  // kill mid-copy leaves the copy's helper container behind, which the rollback does not clean yet.)
  const killed = await cli(configDir, ['restore', snapshot, '--repo', 'lab-s3', '--to-host', 'science', '--source', 'shop_files', '--map', `shop_files=${volume}`], {
    killWhen: async (out) => /Pre-flight checks/.test(out),
  });
  expect(killed.code, killed.out).toBeNull();

  // Opening the app: the banner offers the rollback on whatever page it opens.
  await app.open();
  const banner = page.getByTestId('interrupted-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Interrupted: Restore');
  await expect(banner).toContainText('science');
  await app.shot('47-interrupted-banner');

  // The operations page lists it as interrupted, with the same offer.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Operations/ }).click();
  const row = page.getByRole('table', { name: 'Operations' }).getByRole('row').filter({ hasText: 'onto science' }).first();
  await expect(row).toContainText('Interrupted');
  await expect(banner).toHaveCount(0);
  await page.getByRole('button', { name: 'Roll back' }).first().click();
  await expect(row).toContainText('Rolled back', { timeout: 60_000 });
  await expect(app.toast(/^Rolled back: Restore/)).toBeVisible();

  // Nothing of it is left on science's own dockerd.
  expect((await docker(science.localSocket, 'volume', 'ls', '-q')).split('\n')).not.toContain(volume);

  await row.getByRole('link').click();
  await expect(page.getByTestId('operation-state')).toHaveText('Rolled back');
  await app.shot('47-interrupted-rolled-back');

  // The audit trail has the rollback, found by the operation's id.
  const opId = decodeURIComponent(page.url().split('#/operations/')[1] ?? '');
  await page.getByRole('link', { name: 'Operations' }).first().click();
  await page.getByRole('tab', { name: 'Audit trail' }).click();
  await page.getByRole('textbox', { name: 'Search the audit trail' }).fill(opId);
  const audit = page.getByRole('table', { name: 'Audit trail' });
  await expect(audit.getByRole('row', { name: 'rollback rolled-back' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Search the audit trail' }).fill('no-such-thing-xyzzy');
  await expect(page.getByText('Nothing in the audit trail matches')).toBeVisible();
});

/**
 * A second web server on a copy of the first one's config, with the test-only fault hook on: every
 * restore fails at the start of its verify step (after it stopped the containers, copied the targets
 * aside and overwrote them), so the runner must roll back.
 */
async function startFaultyServer(configDir: string, port: number): Promise<{ url: string; stop: () => void }> {
  const copy = mkdtempSync(path.join(tmpdir(), 'hindsight-e2e-fault-'));
  cpSync(configDir, copy, { recursive: true });
  rmSync(path.join(copy, 'operations'), { recursive: true, force: true });
  const child: ChildProcess = spawn(NODE, [path.join(REPO, 'dist/web/server.js'), '--port', String(port)], {
    cwd: REPO,
    env: { ...process.env, HINDSIGHT_WEB_TOKEN: E2E_TOKEN, HINDSIGHT_CONFIG_DIR: copy, HINDSIGHT_TEST_FAULTS_ENABLED: '1', HINDSIGHT_TEST_FAULT: 'restore:verify' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the faulty web server did not start:\n${out}`)), 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Hindsight web console')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the faulty web server exited (${code}):\n${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(copy, { recursive: true, force: true });
    },
  };
}

/** What a restore onto uat could change, read from uat's own dockerd (not through Hindsight). */
async function uatState(socket: string) {
  const sh = (container: string, script: string) => docker(socket, 'exec', container, 'sh', '-c', script);
  const psql = (sql: string) => docker(socket, 'exec', 'shop-db-1', 'psql', '-U', 'postgres', '-d', 'shop', '-Atc', sql);
  const tables = (await psql("select table_schema||'.'||table_name from information_schema.tables where table_type='BASE TABLE' and table_schema not in ('pg_catalog','information_schema') order by 1"))
    .split('\n')
    .filter(Boolean);
  const rows: Record<string, string> = {};
  for (const t of tables) rows[t] = await psql(`select count(*) from ${t}`);
  return {
    files: await sh('shop-app-1', 'cd /srv/files && find . | sort && find . -type f -exec md5sum {} + | sort'),
    rows,
    containers: await docker(socket, 'ps', '-a', '--filter', 'label=com.docker.compose.project=shop', '--format', '{{.Names}} {{.State}}'),
  };
}

async function openOn(browser: Browser, url: string) {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1440, height: 900 } });
  return { app: new AppPage(await context.newPage()), close: () => context.close() };
}

test('a restore onto uat that fails mid-way is rolled back, and uat is as it was', async ({ app, browser, lab }) => {
  test.setTimeout(300_000);
  const uat = lab.machines.uat;
  // uat is added through the UI of the normal server; the faulty one starts on a copy of its config.
  await ensureHost(app, uat);
  const snapshot = await shopSnapshot(serverConfigDir());
  const before = await uatState(uat.localSocket);
  expect(before.containers).toContain('shop-app-1 running');

  const server = await startFaultyServer(serverConfigDir(), E2E_PORT + 1);
  const faulty = await openOn(browser, server.url);
  try {
    const page = faulty.app.page;
    await faulty.app.open();
    await page.goto(`/?token=${E2E_TOKEN}#/restore?repo=lab-s3&snapshot=${encodeURIComponent(snapshot)}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Restore' })).toBeVisible();
    const next = page.getByRole('button', { name: /^Next/ });
    await expect(next).toBeEnabled({ timeout: 30_000 });
    await next.click();
    await page.getByRole('radiogroup', { name: 'Target host' }).getByRole('radio', { name: 'uat' }).check();
    for (let i = 0; i < 3; i++) {
      await expect(next).toBeEnabled({ timeout: 60_000 });
      await next.click();
    }
    await page.getByRole('button', { name: 'Start the restore' }).click();

    // The run fails at verify and rolls back; the live view says so, step by step.
    const view = page.getByTestId('operation-view');
    await expect(view).toHaveAttribute('data-state', 'rolled-back', { timeout: 180_000 });
    await expect(view.locator('[data-testid="operation-step"][data-state="failed"]').first()).toContainText('Verify');
    await expect(view.getByTestId('operation-result')).toContainText('failed and was rolled back');
    await expect(view.getByTestId('rolled-back')).toBeVisible();
    // In web mode the end of a long (or failed) operation is an in-page notice linking to it.
    const notice = page.getByTestId('operation-notice');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('rolled back');
    await faulty.app.shot('44-notification');
    await notice.getByRole('link', { name: 'Open the operation' }).click();
    await expect(page).toHaveURL(/#\/operations\/.+/);
    await expect(page.getByTestId('operation-state')).toHaveText('Rolled back');
    await faulty.app.shot('46-rollback');

    // The audit trail has the failed restore: who, from production to uat, rolled back.
    await page.getByRole('link', { name: 'Operations' }).first().click();
    await page.getByRole('tab', { name: 'Audit trail' }).click();
    await page.getByRole('textbox', { name: 'Search the audit trail' }).fill('uat');
    const record = page.getByRole('table', { name: 'Audit trail' }).getByRole('row', { name: 'restore rolled-back' }).first();
    await expect(record).toContainText('production');
    await expect(record).toContainText(snapshot);
    await faulty.app.shot('45-audit');
  } finally {
    await faulty.close();
    server.stop();
  }

  // uat's own dockerd: the same files, the same rows, the same containers running.
  const after = await uatState(uat.localSocket);
  expect(after.files).toBe(before.files);
  expect(after.rows).toEqual(before.rows);
  expect(after.containers).toBe(before.containers);
});
