/**
 * A warm worker (warm-worker.ts, with stand-in commands: testing/warm-fixture.ts) and the exec
 * client (exec-client.ts) as real processes on a socket in a temporary folder: what the client is
 * given comes out as from the command's own process — stdout, stderr, exit code, SIGTERM — and a
 * worker fed more stdin than a request cuts the client off instead of holding it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, type Frame } from './exec-frames.js';
import { MAX_UNREAD_STDIN } from './warm-worker.js';

const here = path.dirname(new URL(import.meta.url).pathname);
let dir: string;
let socketPath: string;
let worker: ChildProcess;
let workerExit: Promise<number | null>;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hs-warm-'));
  socketPath = path.join(dir, 'warm.sock');
  worker = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'testing/warm-fixture.ts'), socketPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  workerExit = new Promise((resolve) => worker.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 200 && !(await fs.stat(socketPath).catch(() => null)); i++) await new Promise((r) => setTimeout(r, 50));
}, 20_000);
afterEach(async () => {
  worker.kill('SIGKILL');
  await fs.rm(dir, { recursive: true, force: true });
});

/** The client's run: stdout, stderr, exit code. */
function client(args: string[], stdin: string, afterStart?: (c: ChildProcess) => void): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'exec-client.ts'), ...args], { env: { ...process.env, HINDSIGHT_WARM_SOCKET: socketPath } });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.stdin.end(stdin);
    afterStart?.(c);
    c.once('exit', (code) => resolve({ out, err, code }));
  });
}

describe('the warm worker and the exec client, as processes', () => {
  it('stdin in; stdout, a log line and the exit code out; the worker ends with the command', async () => {
    const r = await client(['status', '--json'], 'hello');
    expect(r).toEqual({ out: 'got 5\n', err: 'a log line\n', code: 3 });
    expect(await workerExit).toBe(3);
  }, 30_000);

  it("the client's SIGTERM reaches the command's handler", async () => {
    const r = await client(['run', 'nightly'], '', (c) => {
      // Once the worker has it (its socket file is gone when it takes a command).
      const poll = setInterval(() => {
        void fs.stat(socketPath).catch(() => {
          clearInterval(poll);
          setTimeout(() => c.kill('SIGTERM'), 300);
        });
      }, 50);
    });
    expect(r).toEqual({ out: '', err: 'cancelled\n', code: 1 });
  }, 30_000);

  it('more unread stdin than a request: the worker cuts the client off and ends', async () => {
    const socket = net.connect(socketPath);
    const reader = new FrameReader();
    const frames: Frame[] = [];
    socket.on('data', (d: Buffer) => frames.push(...reader.push(d)));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    socket.write(encodeFrame('h', JSON.stringify({ argv: ['apply', '--json'] })));
    const chunk = encodeFrame('i', Buffer.alloc(1 << 20));
    for (let sent = 0; sent <= MAX_UNREAD_STDIN + (4 << 20) && !socket.destroyed; sent += 1 << 20) {
      if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
    }
    await closed;
    expect(frames.map((f) => f.kind)).toContain('a');
    expect(await workerExit).toBe(143);
  }, 30_000);

  it('a command done before its client ended stdin: the worker waits for the client to close', async () => {
    // The client writes "stdin ended" whenever its own stdin ends — possibly after the exit code
    // came. A worker gone by then made that write fail (EPIPE), and a client that had not read the
    // exit code yet lost it: "ended without an answer" for a command that had answered.
    // Half-open allowed: a client that has not read the worker's end yet (a Node socket that reads
    // it ends its own side at once, after the exit code).
    const socket = net.connect({ path: socketPath, allowHalfOpen: true });
    const reader = new FrameReader();
    const frames: Frame[] = [];
    let failed: Error | undefined;
    const exited = new Promise<Frame>((resolve) =>
      socket.on('data', (d: Buffer) => {
        frames.push(...reader.push(d));
        const x = frames.find((f) => f.kind === 'x');
        if (x) resolve(x);
      }),
    );
    socket.on('error', (e) => (failed = e));
    let workerGone = false;
    void workerExit.then(() => (workerGone = true));
    socket.write(encodeFrame('h', JSON.stringify({ argv: ['pitr-status', '--json'] })));
    expect((await exited).payload.toString()).toBe('0');
    await new Promise((r) => setTimeout(r, 300));
    expect(workerGone).toBe(false);
    await new Promise<void>((resolve) => socket.write(encodeFrame('z'), () => resolve()));
    expect(failed).toBeUndefined();
    socket.end();
    expect(await workerExit).toBe(0);
    expect(frames.find((f) => f.kind === 'o')?.payload.toString()).toBe('done\n');
  }, 30_000);

  it('a command line it does not take: refused before anything runs', async () => {
    const socket = net.connect(socketPath);
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    socket.write(encodeFrame('h', JSON.stringify({ argv: ['serve'] })));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Buffer.concat(got).length).toBe(0); // no "taken"
    expect(await workerExit).toBe(0);
  }, 30_000);
});
