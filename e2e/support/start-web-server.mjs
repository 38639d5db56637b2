#!/usr/bin/env node
/**
 * Playwright's webServer command. Playwright starts its webServer BEFORE globalSetup, so the fresh
 * config copy has to be made here: copy .lab/config to a new temp dir (each run starts from the
 * lab's state, and the tests' changes never leak into .lab), then run the web host on it.
 *
 * uat's and the annex's host keys are removed from the copy's known_hosts: the add-host and
 * repositories specs must see them as unknown and go through the fingerprint confirmation, as a
 * user adding a new machine or backup server would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const labJson = path.join(repo, '.lab/lab.json');
const server = path.join(repo, 'dist/web/server.js');
const port = process.env.E2E_PORT ?? '7431';

function fail(message) {
  console.error(`\n[e2e] ${message}\n`);
  process.exit(1);
}
if (!existsSync(labJson)) fail(`${labJson} is missing: the lab is not up. Run "npm run lab:up" first.`);
if (!existsSync(server)) fail(`${server} is missing: run "npm run build" first.`);

const lab = JSON.parse(readFileSync(labJson, 'utf8'));
// Playwright ends this process with SIGKILL, so the previous run's copy is removed here instead.
const marker = path.join(repo, `e2e/artifacts/config-dir${port === '7431' ? '' : '-' + port}.txt`);
if (existsSync(marker)) {
  const previous = readFileSync(marker, 'utf8').trim();
  if (path.basename(previous).startsWith('hindsight-e2e-')) rmSync(previous, { recursive: true, force: true });
}
const configDir = mkdtempSync(path.join(tmpdir(), 'hindsight-e2e-'));
cpSync(lab.configDir ?? path.join(repo, '.lab/config'), configDir, { recursive: true });

// The annex's key too: the repositories spec adds an SFTP repository on it and must be shown its key.
const unknown = [lab.machines?.uat, lab.annex].filter(Boolean);
const knownHosts = path.join(configDir, 'known_hosts');
if (unknown.length && existsSync(knownHosts)) {
  const patterns = unknown.flatMap((m) => [`[${m.address}]:${m.port}`, m.address]);
  const kept = readFileSync(knownHosts, 'utf8')
    .split('\n')
    .filter((line) => !patterns.includes(line.split(' ')[0] ?? ''));
  writeFileSync(knownHosts, kept.join('\n'));
}
// The lab starts with empty buckets (every CI run wipes its data): the specs that back up to the
// lab's S3 repository need it initialised, as a user would do once (`hindsight repo init`). Done
// here, before any spec runs, so no spec depends on another having run first.
const cliEnv = { ...process.env, HINDSIGHT_CONFIG_DIR: configDir };
const hindsight = (...args) => spawnSync(process.execPath, [path.join(repo, 'bin/hindsight.mjs'), ...args], { env: cliEnv, encoding: 'utf8' });
for (const name of ['lab-s3']) {
  if (hindsight('repo', 'check', name).status === 0) continue;
  const init = hindsight('repo', 'init', name);
  if (init.status !== 0) fail(`cannot initialise the lab repository ${name}: ${init.stderr || init.stdout}`);
  console.log(`[e2e] initialised repository ${name}`);
}

mkdirSync(path.dirname(marker), { recursive: true });
writeFileSync(marker, configDir + '\n');
console.log(`[e2e] config dir: ${configDir}`);

const child = spawn(process.execPath, [server, '--port', port], {
  cwd: repo,
  stdio: 'inherit',
  env: { ...process.env, HINDSIGHT_WEB_TOKEN: process.env.HINDSIGHT_WEB_TOKEN ?? 'e2e-token', HINDSIGHT_CONFIG_DIR: configDir },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
