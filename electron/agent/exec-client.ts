/**
 * What `hindsight-agent` starts (scripts/build-agent.sh bundles this alone into client.cjs): every
 * command the console sends is a `docker exec` of a new process, and loading the agent's 5 MB
 * bundle took ~0.55 s of the 2-core host's CPU before a restore could begin. So the scheduler keeps
 * one warm worker — a Node process with the agent loaded, waiting on a socket in the container
 * (warm-worker.ts) — and this client, which loads nothing, hands it the command: its argv, stdin
 * and signals go there, its stdout, stderr and exit code come back (exec-frames.ts).
 *
 * When there is no worker (the scheduler is not running, it is starting the next one, a command
 * that is not for a worker) the client runs the agent in this process, as before: the worker's
 * "taken" frame is the point after which it owns the command, and nothing is read from stdin
 * before it, so a command is never run twice nor lost.
 */
import net from 'node:net';
import path from 'node:path';
import { encodeFrame, FrameReader } from './exec-frames.js';
import { WARM_COMMANDS, WARM_SOCKET } from './warm-names.js';

const argv = process.argv.slice(2);

function runHere(): void {
  // The bundle next to this file runs its command line (process.argv) when loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(__dirname, 'agent.cjs'));
}

function viaWorker(socketPath: string): void {
  const socket = net.connect(socketPath);
  const reader = new FrameReader();
  let taken = false;
  let exitCode: number | undefined;
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const forward = (name: string) => () => socket.write(encodeFrame('s', name));
  const handlers = signals.map((name) => [name, forward(name)] as const);

  const takenNow = () => {
    taken = true;
    for (const [name, handler] of handlers) process.on(name, handler);
    process.stdin.on('data', (chunk: Buffer) => {
      if (!socket.write(encodeFrame('i', chunk))) {
        process.stdin.pause();
        socket.once('drain', () => process.stdin.resume());
      }
    });
    const stdinEnded = () => {
      if (exitCode === undefined && !socket.destroyed) socket.write(encodeFrame('z'));
    };
    process.stdin.on('end', stdinEnded);
    process.stdin.on('error', stdinEnded);
  };
  const finish = (code: number) => {
    for (const [name, handler] of handlers) process.off(name, handler);
    process.stdin.destroy();
    socket.destroy();
    process.exitCode = code;
  };

  socket.on('connect', () => socket.write(encodeFrame('h', JSON.stringify({ argv }))));
  socket.on('data', (chunk: Buffer) => {
    let frames;
    try {
      frames = reader.push(chunk);
    } catch (e) {
      process.stderr.write(`hindsight-agent: the warm worker answered garbage (${(e as Error).message})\n`);
      return finish(1);
    }
    for (const f of frames) {
      if (f.kind === 'a') takenNow();
      else if (f.kind === 'o') process.stdout.write(f.payload);
      else if (f.kind === 'e') process.stderr.write(f.payload);
      else if (f.kind === 'x') {
        exitCode = Number(f.payload.toString('latin1')) || 0;
        return finish(exitCode);
      }
    }
  });
  let ended = false;
  const closed = () => {
    if (ended || exitCode !== undefined) return;
    ended = true;
    if (!taken) {
      // Refused or gone before taking it (another client was first): nothing ran; run it here.
      socket.destroy();
      return runHere();
    }
    const message = 'the agent process running this command ended without an answer';
    process.stderr.write(argv.includes('--json') ? `${JSON.stringify({ error: { code: 'INTERNAL', message } })}\n` : `hindsight-agent: ${message}\n`);
    finish(1);
  };
  socket.on('error', closed);
  socket.on('close', closed);
}

if (WARM_COMMANDS.has(argv[0] ?? '') && !process.env.HINDSIGHT_NO_WARM_WORKER) viaWorker(process.env.HINDSIGHT_WARM_SOCKET || WARM_SOCKET);
else runHere();
