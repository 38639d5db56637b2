/**
 * Runs one restore in a separate process (restore-child.ts, the real backend) and SIGKILLs it — no
 * cleanup at all — as soon as its journal satisfies `ready` (e.g. the restore step under way with
 * the link stalled), for the tests of what a killed process leaves and how it is rolled back.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { REPO_DIR, waitFor } from '../../testing/lab.js';
import { listJournals, type Journal } from '../journal.js';

export interface Killed {
  /** The killed operation's journal id. */
  id: string;
  /** What the child printed (nothing, when it never got to finish). */
  out: string;
}

export async function killMidRestore(configDir: string, input: object, ready: (j: Journal) => boolean | Promise<boolean>): Promise<Killed> {
  const earlier = new Set((await listJournals(configDir)).map((j) => j.id));
  const child = spawn(path.join(REPO_DIR, 'node_modules/.bin/tsx'), [path.join(REPO_DIR, 'electron/core/restore/testing/restore-child.ts'), configDir, JSON.stringify(input)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // Whatever happens, the child's process group (tsx and its node) does not outlive the test.
  onTestFinished(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  let id: string | undefined;
  let pid: number | undefined;
  await waitFor(
    'the child to reach the point where it is killed',
    async () => {
      // (tsx runs node as its own child: the journal's pid is not child.pid.)
      const j = (await listJournals(configDir)).find((x) => !earlier.has(x.id));
      if (j && (await ready(j))) {
        id = j.id;
        pid = j.pid;
      }
      return id !== undefined || child.exitCode !== null;
    },
    60_000,
  );
  if (id === undefined || pid === undefined) throw new Error(`the child ended before it could be killed: ${out}`);
  process.kill(pid, 'SIGKILL'); // the node process that runs the restore (tsx's child)
  child.kill('SIGKILL');
  await exited;
  const gone = pid;
  await waitFor('the restoring process to be gone', () => {
    try {
      process.kill(gone, 0);
      return false;
    } catch {
      return true;
    }
  });
  return { id, out };
}
