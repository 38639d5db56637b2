import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BackupResult } from '../../shared/contract/index.js';
import { E2E_PORT } from './env.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

/** The config dir the e2e web host runs on (written by start-web-server.mjs for this port). */
export function e2eConfigDir(): string {
  const marker = path.join(repo, `e2e/artifacts/config-dir${E2E_PORT === 7431 ? '' : '-' + E2E_PORT}.txt`);
  return readFileSync(marker, 'utf8').trim();
}

/**
 * Takes a real backup with the CLI (`hindsight backup --host … --repo …`) on the e2e web host's own
 * config, so the snapshot is in the repository the page reads — the same engine the UI drives,
 * without depending on the backup dialog. Returns the CLI's JSON result, checked by the contract.
 */
/** `hindsight …` on the e2e web host's config (the pinned Node runs the built CLI); stdout. */
export async function hindsightCli(...args: string[]): Promise<string> {
  // node_modules/.bin/node: the pinned Node (zstd in node:zlib).
  const { stdout } = await run(path.join(repo, 'node_modules/.bin/node'), [path.join(repo, 'dist/cli/main.js'), ...args], {
    cwd: repo,
    env: { ...process.env, HINDSIGHT_CONFIG_DIR: e2eConfigDir() },
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

export async function backupWithCli(args: { host: string; repo: string; set: string; volumes?: string[]; postgres?: string[]; directories?: string[]; note?: string }): Promise<BackupResult> {
  const argv = ['backup', '--host', args.host, '--repo', args.repo, '--set', args.set, '--json'];
  for (const v of args.volumes ?? []) argv.push('--volume', v);
  for (const p of args.postgres ?? []) argv.push('--postgres', p);
  for (const d of args.directories ?? []) argv.push('--directory', d);
  if (args.note) argv.push('--note', args.note);
  return BackupResult.parse(JSON.parse(await hindsightCli(...argv)));
}
