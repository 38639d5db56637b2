/**
 * The helper's status line (pipe-helper-run.ts), with this machine's `sh` standing in for the
 * helper's: the status arrives before the shell exits, an `exec` in the script does not swallow
 * it, and a shell whose reader is gone is never held up by it.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, constants as fsConstants, open as fsOpen, openSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withinGrace } from './errors.js';
import { openOurEnd, readStatusLine, reportingStatus, STATUS_SUFFIX } from './pipe-helper-run.js';

const run = promisify(execFile);
let dir: string;
let fifo: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hs-status-'));
  fifo = path.join(dir, 'tar-test');
  await run('mkfifo', ['-m', '0600', `${fifo}${STATUS_SUFFIX}`]);
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

/** Runs the wrapped script as a helper does: `sh -c <script> hindsight-tar <fifo>`; resolves with its exit code. */
function helper(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', reportingStatus(script), 'hindsight-tar', fifo], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

describe('a pipe helper says how its script ended', () => {
  it('the status of the script, the same as the exit code', async () => {
    for (const [script, status] of [['true', 0], ['exit 3', 3], ['false', 1]] as const) {
      const said = readStatusLine(`${fifo}${STATUS_SUFFIX}`);
      const [line, code] = await Promise.all([said.status, helper(script)]);
      said.close();
      expect([line, code]).toEqual([status, status]);
    }
  });

  it('a script that replaces itself (`exec`, as tarOnFifo does) is still reported, with its arguments intact', async () => {
    const said = readStatusLine(`${fifo}${STATUS_SUFFIX}`);
    const [line, code] = await Promise.all([said.status, helper(`[ "$1" = '${fifo}' ] || exit 9; exec sh -c 'exit 5' # a last line that is a comment`)]);
    said.close();
    expect([line, code]).toEqual([5, 5]);
  });

  it('with no one reading (the agent died), the helper still ends at once', async () => {
    const started = Date.now();
    expect(await helper('exit 2')).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('withinGrace (the wait for a status line once the engine cannot say)', () => {
  it('settles with the promise, and a process that used it ends at once (a pending timer kept the agent’s exec alive 5 s)', async () => {
    await expect(withinGrace(Promise.resolve(7), 60_000, () => -1)).resolves.toBe(7);
    await expect(withinGrace(Promise.reject(new Error('gone')), 60_000, () => -1)).rejects.toThrow('gone');
    // A child process whose grace is a minute: it must end on its own long before (the test's own
    // timeout fails it otherwise), with the value it printed.
    const module = path.join(import.meta.dirname, 'errors.ts');
    const code = `const { withinGrace } = await import(${JSON.stringify(module)}); console.log(await withinGrace(new Promise((r) => setTimeout(() => r(42), 10)), 60000, () => -1));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { timeout: 20_000 });
    expect(stdout.trim()).toBe('42');
  }, 30_000);

  it('gives what `late` returns, or throws, once the time is up', async () => {
    const never = new Promise<number>(() => undefined);
    await expect(withinGrace<number | null>(never, 20, () => null)).resolves.toBeNull();
    await expect(
      withinGrace(never, 20, () => {
        throw new Error('the engine removed the helper and it said nothing');
      }),
    ).rejects.toThrow('said nothing');
  });
});

describe('openOurEnd (this process’s end of a helper’s FIFO)', () => {
  it('returns null when the helper is gone, even if our open had not started yet (it waited for a pool thread)', async () => {
    // Every thread of libuv's pool (4 by default) held by an open of a FIFO of its own, waiting
    // for a writer: ours queues behind them, and the helper is "gone" before it can run.
    const blockers = await Promise.all([0, 1, 2, 3].map(async (i) => {
      const f = path.join(dir, `blocker-${i}`);
      await run('mkfifo', ['-m', '0600', f]);
      return f;
    }));
    const held = blockers.map((f) => promisify(fsOpen)(f, fsConstants.O_RDONLY));
    await run('mkfifo', ['-m', '0600', fifo]);
    const ours = openOurEnd(fifo, 'read', Promise.resolve());
    await new Promise((r) => setTimeout(r, 100));
    // Now the pool is freed (a writer for each blocker), and our open runs after the release.
    const writers = blockers.map((f) => openSync(f, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
    for (const fd of await Promise.all(held)) closeSync(fd);
    for (const fd of writers) closeSync(fd);
    await expect(ours).resolves.toBeNull(); // before the fix: never (the test's timeout)
  }, 15_000);

  it('gives the descriptor when the helper opens its end', async () => {
    await run('mkfifo', ['-m', '0600', fifo]);
    const ours = openOurEnd(fifo, 'write', new Promise(() => undefined));
    const reader = spawn('sh', ['-c', 'cat "$1" > /dev/null', 'sh', fifo], { stdio: 'ignore' });
    const fd = await ours;
    expect(typeof fd).toBe('number');
    closeSync(fd!);
    await new Promise((r) => reader.once('exit', r));
  });
});
