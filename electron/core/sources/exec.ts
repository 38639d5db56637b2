/**
 * Running a command inside a container (the engine's exec API) with its data streamed:
 *  - execStream: stdout is the data, as a Readable with backpressure (a dump);
 *  - execWithInput: stdin is fed from a Readable with backpressure (a restore), through a
 *    hijacked connection whose write side is closed when the input ends (the engine then closes
 *    the command's stdin);
 *  - execCapture: small outputs (a psql query), collected with a bound.
 *
 * The exec runs without a TTY, so the engine multiplexes stdout and stderr into frames; stderr is
 * kept bounded (head and tail) for error messages. The exit code is read at the end (exec inspect):
 * non-zero fails the stream / promise with an ExecFailedError holding stderr. Nothing is trusted to
 * have succeeded before that check — a dump that dies half-way ends its stdout just like a good one.
 *
 * Abort (signal, or the consumer destroying the stream): the HTTP request / SSH channel is closed
 * and the process is killed (TERM, then KILL after 3 s) through a second exec, using the pid the
 * wrapper reported (exec-output.ts). `killOnAbort: false` runs the command unwrapped (no `sh`
 * needed in the container) and only closes the connection.
 */
import { pipeline, Transform, type Duplex, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { RpcError } from '../../../shared/contract/errors.js';
import { engineMessage, statusCodeOf } from '../docker/engine-errors.js';
import type { Engine } from '../docker/engine.js';
import { LogDemuxer } from '../docker/log-lines.js';
import { createLogger } from '../log.js';
import { abortable, assertReadable, cancelled, engineFailure, ExecFailedError } from './errors.js';
import { BoundedText, PidMarker, withPidReport } from './exec-output.js';

const log = createLogger('sources');

export interface ExecSpec {
  container: string;
  cmd: string[];
  /** user[:group] inside the container (default: the container's user). */
  user?: string;
  /** KEY=value pairs added to the container's environment for this command. */
  env?: string[];
  workingDir?: string;
}

export interface ExecOptions {
  /** What the command does, for messages: "Dumping PostgreSQL in shop-db-1 on production". */
  what: string;
  signal?: AbortSignal;
  /** Default true: wrap in `sh -c` to learn the pid and kill the process on abort. */
  killOnAbort?: boolean;
  /** execWithInput: every stdout chunk as it arrives (progress lines of a long command). */
  onStdout?: (bytes: Buffer) => void;
}

export interface ExecResult {
  /** Bounded (head and tail). */
  stdout: string;
  stderr: string;
}

interface Prepared {
  exec: Docker.Exec;
  marker: PidMarker;
  stderr: BoundedText;
  /** Kills the process if it still runs (no-op without a pid); never throws. */
  kill: () => Promise<void>;
  exitCode: () => Promise<number | null>;
}

async function prepare(engine: Engine, spec: ExecSpec, opts: ExecOptions, stdin: boolean): Promise<Prepared> {
  const track = opts.killOnAbort !== false;
  let exec: Docker.Exec;
  try {
    exec = await abortable(engine.docker.getContainer(spec.container).exec({
      Cmd: track ? withPidReport(spec.cmd) : spec.cmd,
      AttachStdin: stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(spec.user ? { User: spec.user } : {}),
      ...(spec.env?.length ? { Env: spec.env } : {}),
      ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
      abortSignal: opts.signal,
    } as Docker.ExecCreateOptions), opts.signal, opts.what);
  } catch (e) {
    const status = statusCodeOf(e);
    if (status === 404) throw new RpcError('NOT_FOUND', `${opts.what}: there is no container "${spec.container}" on ${engine.name}.`, engineMessage(e));
    if (status === 409) throw new RpcError('CONFLICT', `${opts.what}: the container is not running (${engineMessage(e)}).`);
    throw engineFailure(e, opts.what, opts.signal, engine.localSocket);
  }
  const stderr = new BoundedText();
  const marker = new PidMarker((b) => stderr.push(b));
  return {
    exec,
    marker,
    stderr,
    kill: () => killProcess(engine, spec.container, exec, marker.pid),
    exitCode: () => exitCodeOf(exec),
  };
}

/** The exit code once the process is gone (the stream can end a moment before inspect says so). */
async function exitCodeOf(exec: Docker.Exec): Promise<number | null> {
  for (let i = 0; i < 100; i++) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? null;
    await new Promise((r) => setTimeout(r, i < 10 ? 20 : 100));
  }
  return null;
}

async function isRunning(exec: Docker.Exec): Promise<boolean> {
  return exec.inspect().then(
    (i) => i.Running,
    () => false,
  );
}

async function signalProcess(engine: Engine, container: string, pid: number, sig: 'TERM' | 'KILL'): Promise<void> {
  const killer = await engine.docker.getContainer(container).exec({
    Cmd: ['sh', '-c', `kill -${sig} "$1" 2>/dev/null; exit 0`, 'hindsight-kill', String(pid)],
    User: '0',
    AttachStdout: true,
    AttachStderr: true,
  });
  const out = (await killer.start({ Detach: false, Tty: false })) as Readable;
  out.resume();
  await new Promise((r) => (out.once('close', r), out.once('end', r), out.once('error', r)));
}

async function killProcess(engine: Engine, container: string, exec: Docker.Exec, pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  try {
    if (!(await isRunning(exec))) return;
    await signalProcess(engine, container, pid, 'TERM');
    for (let i = 0; i < 30; i++) {
      if (!(await isRunning(exec))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await signalProcess(engine, container, pid, 'KILL');
  } catch (e) {
    log.warn(`could not kill process ${pid} in ${container} on ${engine.name}`, e);
  }
}

/** The command's stdout as a stream; it fails with ExecFailedError if the command exits non-zero. */
export async function execStream(engine: Engine, spec: ExecSpec, opts: ExecOptions): Promise<Readable> {
  const { signal, what } = opts;
  const p = await prepare(engine, spec, opts, false);
  let response: Readable;
  try {
    const request = p.exec.start({ Detach: false, Tty: false, abortSignal: signal } as object) as Promise<Readable>;
    request.then((r) => signal?.aborted && r.destroy(), () => undefined);
    response = await abortable(request, signal, what);
  } catch (e) {
    throw engineFailure(e, what, signal, engine.localSocket);
  }
  let exited = false;
  const out = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      demux.push(chunk);
      callback();
    },
    flush(callback) {
      p.marker.end();
      p.exitCode().then(
        (code) => {
          exited = code !== null;
          callback(code === 0 ? null : new ExecFailedError(what, code, p.stderr.text()));
        },
        (e) => callback(engineFailure(e, `${what}: reading the exit code`, signal)),
      );
    },
    destroy(err, callback) {
      response.destroy();
      if (!exited) void p.kill();
      callback(err);
    },
  });
  const demux = new LogDemuxer((stream, bytes) => (stream === 'stdout' ? out.push(bytes) : p.marker.push(bytes)));
  const onAbort = () => out.destroy(cancelled(what));
  signal?.addEventListener('abort', onAbort, { once: true });
  response.once('error', (e) => {
    if (!out.destroyed) out.destroy(engineFailure(e, `${what}: the stream from the engine broke`, signal));
  });
  pipeline(response, out, () => signal?.removeEventListener('abort', onAbort));
  if (signal?.aborted) onAbort();
  return out;
}

/** Feeds `input` to the command's stdin; resolves when the command exited 0. Destroys `input` on failure. */
export async function execWithInput(engine: Engine, spec: ExecSpec, input: Readable, opts: ExecOptions): Promise<ExecResult> {
  const { signal, what } = opts;
  if (signal?.aborted) {
    input.destroy();
    throw cancelled(what);
  }
  // Listening from the start: the input may fail while the exec is being set up.
  let inputFailure: { error: unknown } | undefined;
  let onInputFailure: ((e: unknown) => void) | undefined;
  const inputErrorListener = (e: unknown) => {
    inputFailure ??= { error: e };
    onInputFailure?.(e);
  };
  input.on('error', inputErrorListener);
  let p: Prepared;
  let sock: Duplex;
  try {
    assertReadable(input, what);
    p = await prepare(engine, spec, opts, true);
    if (inputFailure) throw inputFailure.error;
    assertReadable(input, what);
    const request = p.exec.start({ hijack: true, stdin: true, Detach: false, Tty: false } as object) as Promise<Duplex>;
    request.then((r) => signal?.aborted && r.destroy(), () => undefined);
    sock = await abortable(request, signal, what);
  } catch (e) {
    input.removeListener('error', inputErrorListener);
    input.destroy();
    if (inputFailure) throw inputFailure.error;
    throw RpcError.is(e) ? e : engineFailure(e, what, signal, engine.localSocket);
  }
  const stdout = new BoundedText();
  const demux = new LogDemuxer((stream, bytes) => {
    if (stream !== 'stdout') return p.marker.push(bytes);
    stdout.push(bytes);
    opts.onStdout?.(bytes);
  });

  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    let inputEnded = false;
    let sockError: unknown;

    const stopInput = () => {
      input.unpipe(sock);
      if (!input.readableEnded) input.destroy();
    };
    const done = () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      input.removeListener('error', inputErrorListener);
    };
    const fail = (e: unknown) => {
      if (settled) return;
      done();
      stopInput();
      sock.destroy();
      void p.kill();
      reject(e);
    };
    const onAbort = () => fail(cancelled(what));

    sock.on('data', (chunk: Buffer) => demux.push(chunk));
    sock.on('error', (e) => {
      // Writing to a command that already exited fails here; its exit code tells the real story.
      sockError ??= e;
    });
    sock.once('close', () => {
      if (settled) return;
      p.marker.end();
      p.exitCode().then(
        (code) => {
          if (settled) return;
          if (inputFailure) return fail(inputFailure.error);
          if (code !== 0) return fail(new ExecFailedError(what, code, p.stderr.text()));
          if (!inputEnded) {
            const why = sockError ? engineFailure(sockError, `${what}: the connection broke`, signal) : undefined;
            return fail(why ?? new RpcError('DOCKER_ERROR', `${what}: the command ended before it had read all its input.`));
          }
          done();
          resolve({ stdout: stdout.text(), stderr: p.stderr.text() });
        },
        (e) => fail(engineFailure(e, `${what}: reading the exit code`, signal)),
      );
    });
    input.once('end', () => (inputEnded = true));
    onInputFailure = fail;
    if (inputFailure) return fail(inputFailure.error);
    signal?.addEventListener('abort', onAbort, { once: true });
    // pipe: backpressure from the channel, and end() — closing stdin — once the input is done.
    input.pipe(sock);
  });
}

/** Runs a command and collects its stdout (up to `maxStdoutBytes`, default 16 MiB). */
export async function execCapture(engine: Engine, spec: ExecSpec, opts: ExecOptions & { maxStdoutBytes?: number }): Promise<string> {
  const limit = opts.maxStdoutBytes ?? 16 << 20;
  const stream = await execStream(engine, spec, opts);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new RpcError('INTERNAL', `${opts.what}: the output is larger than ${limit} bytes.`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}
