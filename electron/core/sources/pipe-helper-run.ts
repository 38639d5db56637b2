/**
 * A pipe helper (pipe-tar.ts): started on its FIFOs, and its end learnt without waiting for its
 * container to go away.
 *
 * When a container's process exits, the engine unmounts its root filesystem before it reports the
 * exit, and unmounting an overlay first writes out every dirty page of the filesystem under it — on
 * a host whose Docker data root also holds its volumes, everything a restore just wrote. Measured
 * on the lab (the agent's image, ext4): a helper that wrote 1 GiB into a volume was reported
 * exited 1.25 s after its process ended, one that wrote nothing 0.1 s after. restic returns as
 * soon as its writes are in the page cache; so does a restore here now.
 *
 * So the helper says how its script ended on a second FIFO ("<pipe>.status", one line: the exit
 * status) the moment it ends, and removes itself (AutoRemove) once the engine is done with it.
 * Its output is read from an attach made before it started, so a failure's message does not
 * depend on a container that may already be gone. If it dies without saying (killed), the
 * engine's wait still answers; then the caller removes it as before.
 *
 * The status FIFO is opened read-write here (never blocks, and no EOF while we hold it) and by the
 * helper's shell with `1<>` (read-write too: never blocks, even if this process died — the line
 * then stays in the pipe and is deleted with it). The helper's pipe folder may be mounted
 * read-only: a FIFO opens for writing all the same.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { close, closeSync, constants, open, openSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { RpcError } from '../../../shared/contract/errors.js';
import type { Engine, HelperPipes } from '../docker/engine.js';
import { abortable, engineFailure, withinGrace } from './errors.js';
import { createHelper, helperFailure, removeHelper, type Helper } from './helper.js';

const run = promisify(execFile);

export const STATUS_SUFFIX = '.status';

/** `script` (which may `exec`, and reads its arguments as "$1"…) run so that its exit status is said on "$1.status". */
export function reportingStatus(script: string): string {
  // A subshell: an `exec` in the script replaces it, not the shell that reports. The newline ends
  // a script whose last line is a comment.
  return `(\n${script}\n); s=$?; printf '%s\\n' "$s" 1<>"$1${STATUS_SUFFIX}"; exit "$s"`;
}

/**
 * Opens this process's end of the FIFO; null when the helper went away (`gone`) before opening its
 * own — then our open, which would wait for it forever, is released by a peer end opened here.
 */
export async function openOurEnd(fifo: string, mode: 'read' | 'write', gone: Promise<unknown>): Promise<number | null> {
  const opening = promisify(open)(fifo, mode === 'read' ? constants.O_RDONLY : constants.O_WRONLY);
  const first = await Promise.race([opening.then((fd) => ({ fd })), gone.then(() => null, () => null)]);
  if (first) return first.fd;
  // Our open may not have started yet: it waits its turn in libuv's thread pool. A peer end opened
  // only for a moment could come and go before it, and ours would then block for good, holding a
  // pool thread (CI saw a test hang so, then the next ones fail on its FIFOs). O_RDWR never blocks
  // on Linux and counts as both ends; it is held until ours has returned.
  let peer: number | null = null;
  try {
    peer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  } catch {
    // the FIFO is gone: ours failed, or fails when it runs
  }
  const fd = await opening.catch(() => null);
  if (peer !== null) closeSync(peer);
  if (fd !== null) close(fd, () => undefined);
  return null;
}

/** Reads the helper's status line from the FIFO at `path` (made by the caller). */
export function readStatusLine(path: string): { status: Promise<number>; close: () => void } {
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  let text = '';
  const status = new Promise<number>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const line = /^(\d{1,3})\n/.exec(text);
      if (line) resolve(Number(line[1]));
    });
  });
  socket.on('error', () => undefined);
  return { status, close: () => socket.destroy() };
}

/** The last ~2000 characters a container writes (stdout and stderr), attached before it starts. */
export async function attachOutput(engine: Engine, container: Docker.Container): Promise<{ text: () => string; ended: Promise<void>; close: () => void } | null> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  } catch {
    return null; // its logs, while it exists, will have to do
  }
  let tail = '';
  const keep = new Writable({
    write(chunk: Buffer, _enc, cb) {
      tail = (tail + chunk.toString('utf8')).slice(-2000);
      cb();
    },
  });
  engine.docker.modem.demuxStream(stream, keep, keep);
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  // Closed once the helper said it ended well: an open attach would keep this process (the agent's
  // exec) alive until the engine has torn the container down.
  return { text: () => tail.trim(), ended, close: () => (stream as unknown as { destroy?: () => void }).destroy?.() };
}

/** The error for a helper whose script ended with `status`: its last lines say why. */
export async function pipeHelperFailure(engine: Engine, helper: Helper, output: Awaited<ReturnType<typeof attachOutput>>, what: string, status: number): Promise<RpcError> {
  if (!output) return helperFailure(engine, helper, what, status);
  // The status line comes before the engine has passed on the last output: wait for it to end (bounded).
  await withinGrace(output.ended, 3000, () => undefined);
  return helperFailure(engine, helper, what, status, output.text());
}

/** A pipe helper started on its FIFO (pipe-tar.ts's readers and writers). */
export interface PipeRun {
  helper: Helper;
  fifo: string;
  /** The script's exit status: said on the status FIFO as it ends, else the engine's wait (rejects if the engine could not say). */
  exited: Promise<number>;
  /** True once the script said its status: the helper then removes itself (pipe-helper-run.ts). */
  reported: () => boolean;
  /** The error for the script's failure, with its last lines of output. */
  failure: (label: string, status: number) => Promise<RpcError>;
  /** Stops listening for the status. */
  close: () => void;
}

/** How long a helper's status line may still take once the engine cannot say (it removed the helper). */
export const STATUS_GRACE_MS = 5000;

/** Makes a FIFO, creates and starts a helper running `script` with the FIFO's path as "$1". */
export async function startPipeHelper(
  engine: Engine,
  pipes: HelperPipes,
  spec: { purpose: 'volume-source' | 'volume-sink'; volume: string; target: string; readOnly: boolean; script: string; args?: string[]; signal?: AbortSignal | undefined; what: string },
): Promise<PipeRun> {
  const fifo = join(pipes.dir, `tar-${randomBytes(8).toString('hex')}`);
  // The FIFOs are made while the engine creates the helper (a process spawn, 10–60 ms on a busy
  // host); nothing opens them before both are done.
  const fifos = run('mkfifo', ['-m', '0600', fifo, `${fifo}${STATUS_SUFFIX}`]);
  fifos.catch(() => undefined); // awaited below, or the helper's creation failed first
  let said: ReturnType<typeof readStatusLine> | undefined;
  let reported = false;
  let helper: Helper | undefined;
  try {
    const script = reportingStatus(spec.script);
    helper = await createHelper(engine, { purpose: spec.purpose, image: pipes.image, volume: spec.volume, target: spec.target, readOnly: spec.readOnly, script, args: ['hindsight-tar', fifo, ...(spec.args ?? [])], pipes, autoRemove: true, signal: spec.signal });
    await fifos;
    const status = readStatusLine(`${fifo}${STATUS_SUFFIX}`);
    said = status;
    void status.status.then(() => (reported = true));
    const made = helper;
    const container = engine.docker.getContainer(made.id);
    // Attached before it starts: it may be gone soon after it ends.
    const output = await attachOutput(engine, container);
    const stopWaiting = new AbortController();
    await abortable(container.start(), spec.signal, spec.what);
    // Asked after the start ("not-running" answers at once for one that already ended; "next-exit"
    // asked before the start could reach the engine after a quick exit and wait forever). One
    // already removed (404) leaves the word to its status line, for a few seconds.
    // No grace at all for a wait we stopped ourselves (the helper said its status).
    const waited = (container.wait({ abortSignal: stopWaiting.signal }) as Promise<{ StatusCode: number }>).then(
      (r) => r.StatusCode,
      (e: unknown) =>
        stopWaiting.signal.aborted
          ? status.status
          : withinGrace(status.status, STATUS_GRACE_MS, () => {
              throw e;
            }),
    );
    waited.catch(() => undefined);
    const exited = Promise.race([status.status, waited]);
    exited.catch(() => undefined);
    const close = () => {
      status.close();
      // Nothing more to hear from a helper that said how it ended (and open requests would keep the agent's exec alive).
      if (reported) {
        stopWaiting.abort();
        output?.close();
      }
    };
    return { helper: made, fifo, exited, reported: () => reported, failure: (label, status) => pipeHelperFailure(engine, made, output, label, status), close };
  } catch (e) {
    said?.close();
    if (helper) await removeHelper(engine, helper.id);
    const fifoFailure = await fifos.then(() => undefined, (x: unknown) => x); // and the unlink comes after it
    await unlinkPipes(fifo);
    if (fifoFailure !== undefined) throw fifoFailure; // not the engine's doing
    throw engineFailure(e, spec.what, spec.signal, engine.localSocket);
  }
}

function unlinkPipes(fifo: string): Promise<unknown> {
  return Promise.all([unlink(fifo).catch(() => undefined), unlink(`${fifo}${STATUS_SUFFIX}`).catch(() => undefined)]);
}

export async function cleanUpPipeRun(engine: Engine, r: PipeRun): Promise<void> {
  r.close();
  // One that said how it ended removes itself; waiting for that would wait for the engine to write
  // out the filesystem's dirty pages (pipe-helper-run.ts). Any other (killed, or still running
  // because we gave up) is removed here.
  if (!r.reported()) await removeHelper(engine, r.helper.id);
  await unlinkPipes(r.fifo);
}
