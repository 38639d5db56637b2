/**
 * The agent's warm worker: a process started by the scheduler before any command needs it, with
 * the agent's bundle loaded and compiled, that runs ONE command an exec client hands it
 * (exec-client.ts) and exits as that command's own process would. The scheduler then starts the
 * next (keepWarmWorker). Each command keeps a process of its own — a crash or a leak stays there —
 * and only the ~0.5 s of starting Node and the bundle moves out of the console's wait.
 *
 * The socket is in the container (/run/hindsight-agent, mode 0700): whoever reaches it could run
 * `docker exec` in the container anyway. The command line is checked; stdin, stdout, stderr, the
 * exit code and SIGTERM go through as exec-frames.ts says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { AgentCliEnv } from '../core/agent/agent-cli.js';
import { createLogger } from '../core/log.js';
import { encodeFrame, FrameReader } from './exec-frames.js';
import { WARM_COMMANDS, WARM_WORKER_FLAG } from './warm-names.js';

const log = createLogger('agent');
const Header = z.object({ argv: z.array(z.string().max(4096)).min(1).max(64) });

/** How long a connection may take to say its command line (a client sends it at once). */
const HEADER_WAIT_MS = 10_000;
/**
 * Stdin the command has not read yet, at most: the console's requests are a few KiB (a line is
 * refused past 16 MiB, input-lines.ts). Past it the client is cut off — as a command that stops
 * reading ends its exec — rather than the worker holding whatever it is sent.
 */
export const MAX_UNREAD_STDIN = 32 << 20;

/**
 * Waits on `socketPath` for one command, runs it with `run` (runAgentCli) on the client's stdin and
 * stdout, and ends the process when it is done. `base` is the CLI environment but for its streams.
 */
export function serveOneCommand(socketPath: string, base: Pick<AgentCliEnv, 'stateDir' | 'version'>, run: (argv: string[], env: AgentCliEnv) => Promise<number>): void {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  fs.rmSync(socketPath, { force: true }); // one worker at a time: a file here is a dead one's
  const server = net.createServer({ pauseOnConnect: false });
  server.maxConnections = 1;
  server.once('connection', (socket) => {
    // Used up: the next worker listens; clients that came meanwhile run their command themselves.
    server.close();
    process.send?.({ taken: true });
    if (process.connected) process.disconnect();
    takeCommand(socket, base, run);
  });
  server.on('error', (e) => {
    log.warn('the warm worker could not listen', e);
    process.exit(1);
  });
  server.listen(socketPath, () => {
    fs.chmodSync(socketPath, 0o600);
    process.send?.({ ready: true });
  });
}

function takeCommand(socket: net.Socket, base: Pick<AgentCliEnv, 'stateDir' | 'version'>, run: (argv: string[], env: AgentCliEnv) => Promise<number>): void {
  const reader = new FrameReader();
  const stdin = new PassThrough();
  let argv: string[] | undefined;
  let finished = false;
  const send = (kind: 'o' | 'e', data: string | Uint8Array) => {
    if (!socket.destroyed) socket.write(encodeFrame(kind, typeof data === 'string' ? data : Buffer.from(data)));
  };
  const toClient = (kind: 'o' | 'e') =>
    ((data: string | Uint8Array, ...rest: unknown[]) => {
      send(kind, data);
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    }) as typeof process.stdout.write;
  const headerTimer = setTimeout(() => socket.destroy(), HEADER_WAIT_MS);

  // A signal from the client is delivered as the process would have got it: the command's
  // handler (a long command cancels) — or, with none, the end an unhandled SIGTERM is.
  const signal = (name: string) => {
    if (name !== 'SIGTERM' && name !== 'SIGINT' && name !== 'SIGHUP') return;
    if (process.listenerCount(name) > 0) process.emit(name as NodeJS.Signals, name as NodeJS.Signals);
    else end(128 + (name === 'SIGTERM' ? 15 : name === 'SIGINT' ? 2 : 1));
  };
  const end = (code: number) => {
    if (finished) return;
    finished = true;
    if (socket.destroyed) process.exit(code);
    // Kept until the client closes (it does on the exit code): a client whose stdin ends late
    // still writes "stdin ended", and that write failing on a worker already gone made it drop
    // the exit code it had not read yet. A client that never closes is not waited for past 2 s.
    socket.ref();
    socket.end(encodeFrame('x', String(code)));
    socket.once('close', () => process.exit(code));
    setTimeout(() => process.exit(code), 2000).unref();
  };

  socket.on('data', (chunk: Buffer) => {
    let frames;
    try {
      frames = reader.push(chunk);
    } catch {
      return socket.destroy();
    }
    for (const f of frames) {
      if (!argv) {
        if (f.kind !== 'h') return socket.destroy();
        const parsed = Header.safeParse(safeJson(f.payload.toString('utf8')));
        if (!parsed.success || !WARM_COMMANDS.has(parsed.data.argv[0]!)) return socket.destroy();
        clearTimeout(headerTimer);
        argv = parsed.data.argv;
        socket.write(encodeFrame('a'));
        start(argv);
      } else if (f.kind === 'i') {
        stdin.write(f.payload);
        if (stdin.writableLength > MAX_UNREAD_STDIN) return socket.destroy();
      }
      else if (f.kind === 'z') stdin.end();
      else if (f.kind === 's') signal(f.payload.toString('latin1'));
    }
  });
  // The client gone (its exec killed): stdin ends and the command is cancelled as by SIGTERM.
  socket.on('close', () => {
    if (!argv) process.exit(0);
    if (finished) return;
    stdin.end();
    signal('SIGTERM');
  });
  socket.on('error', () => undefined); // 'close' follows

  const start = (args: string[]) => {
    // What the agent's code writes to the process's own stdout and stderr (its log lines) goes to
    // the client, as it would from a process of its own.
    process.stdout.write = toClient('o');
    process.stderr.write = toClient('e');
    const env: AgentCliEnv = {
      ...base,
      stdinStream: () => stdin as AsyncIterable<Buffer>,
      out: (line) => send('o', `${line}\n`),
      err: (line) => send('e', `${line}\n`),
    };
    run(args, env).then(
      (code) => afterwards(code),
      (e: unknown) => {
        send('e', `hindsight-agent: ${e instanceof Error ? e.message : String(e)}\n`);
        afterwards(1);
      },
    );
  };
  // The exit code goes once the process has nothing left to do — as an exec's process ends only
  // then (a helper's cleanup, a lock's release): the socket no longer keeps it alive, and the
  // 'beforeExit' of an empty event loop sends it.
  const afterwards = (code: number) => {
    process.exitCode = code;
    socket.unref();
    process.once('beforeExit', () => end(typeof process.exitCode === 'number' ? process.exitCode : code));
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The scheduler's side: one warm worker waiting at most. The next starts when the command that
 * took the last one has ended — not at once: starting Node and the bundle costs ~0.5 s of CPU,
 * which a restore making its sink ready in those same moments would lose (measured: the
 * preparation took ~1.0 s with the next worker starting beside it). A command that comes while
 * another runs is run in its own process, as before there were workers. A worker that dies
 * before taking a command is started again after a pause that grows (1 s to a minute), so a broken
 * image cannot spin. `stop` ends the waiting one.
 */
export function keepWarmWorker(start: () => ChildProcess = startWorker): { stop: () => void } {
  let waiting: ChildProcess | undefined;
  let stopped = false;
  let pause = 1000;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (stopped) return;
    const child = start();
    waiting = child;
    let taken = false;
    child.on('message', (m: unknown) => {
      if ((m as { taken?: boolean } | null)?.taken !== true || taken) return;
      taken = true;
      pause = 1000;
      waiting = undefined;
      child.unref();
    });
    child.on('exit', (code, sig) => {
      if (stopped) return;
      if (taken) return next();
      waiting = undefined;
      log.warn(`the warm worker ended before taking a command (${sig ?? `exit ${code}`}); again in ${pause / 1000} s`);
      timer = setTimeout(next, pause);
      timer.unref();
      pause = Math.min(pause * 2, 60_000);
    });
    child.on('error', (e) => log.warn('could not start the warm worker', e));
  };
  next();
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      waiting?.kill('SIGTERM');
    },
  };
}

/** This agent again (the same Node, its flags, its entry), as a warm worker. */
function startWorker(): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, process.argv[1]!, WARM_WORKER_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
