/**
 * Facts about the test lab (written by lab/up.sh to <repo>/.lab/lab.json) and small helpers for
 * integration tests: a throw-away config dir per test file, the docker CLI pointed straight at a
 * machine's engine (the independent witness the tests compare Hindsight against).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const LAB_JSON = path.join(REPO_DIR, '.lab', 'lab.json');

export interface LabMachine {
  name: string;
  role: string;
  address: string;
  port: number;
  user: string;
  keyPath: string;
  wrongKeyPath: string;
  remoteSocket: string;
  localSocket: string;
  hostKeyFingerprint: string;
  hostKeyLine: string;
}

export interface LabFacts {
  version: number;
  configDir: string;
  knownHostsPath: string;
  hostsJsonPath: string;
  machines: Record<'production' | 'uat' | 'science', LabMachine>;
  annex?: Omit<LabMachine, 'remoteSocket' | 'localSocket'> & { repoPath: string; hostRepoPath: string };
  s3?: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; buckets: string[] };
  /** Where tests listen for notifications; reachable from inside every machine (lab/gateway.sh). */
  hooks?: { address: string; port: number };
  images: Record<string, string>;
  stacks: Record<string, { project?: string; containers: string[]; volumes: string[] }>;
}

export function readLab(): LabFacts {
  return JSON.parse(fs.readFileSync(LAB_JSON, 'utf8')) as LabFacts;
}

/** A fresh config dir; `pinned: true` copies the lab's known_hosts into it (keys already trusted). */
export async function tempConfigDir(opts: { pinned?: boolean; base?: string } = {}): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fsp.mkdtemp(path.join(opts.base ?? os.tmpdir(), 'hindsight-int-'));
  if (opts.pinned) await fsp.copyFile(readLab().knownHostsPath, path.join(dir, 'known_hosts'));
  return { dir, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) };
}

const run = promisify(execFile);

/** `docker -H unix://<machine's engine socket> ...args`, stdout trimmed. */
export async function dockerCli(machine: LabMachine, ...args: string[]): Promise<string> {
  const { stdout } = await run('docker', ['-H', `unix://${machine.localSocket}`, ...args], { maxBuffer: 16 << 20 });
  return stdout.trim();
}

/** Polls `probe` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The contract's connection for a lab machine (key auth with the lab key). */
export function sshConnectionOf(machine: LabMachine, overrides: Record<string, unknown> = {}) {
  return {
    type: 'ssh' as const,
    address: machine.address,
    port: machine.port,
    user: machine.user,
    auth: { type: 'key' as const, keyPath: machine.keyPath },
    remoteSocket: machine.remoteSocket,
    ...overrides,
  };
}
