/**
 * Volumes read and written by GNU tar in a helper container, the bytes streaming through a named
 * pipe that this process shares with the helper — only where the engine says it can (Engine.pipes:
 * the agent, which runs on the host, ARCHITECTURE §8). Everyone else uses the engine's archive
 * endpoint (archive.ts), which works over any connection.
 *
 * Why, measured on the benchmark's 1 GiB volume on this project's 2-core machine: the archive
 * endpoint (Go's archive/tar in a re-exec of dockerd, then chunked HTTP over the socket) reads it in
 * 2.7 s and 3.4 s of the engine's CPU and extracts it in 4.4 s; GNU tar takes 0.5 s and 0.8 s.
 * On a host whose cores the compressor and the upload share, that is most of a backup's time.
 *
 * The format is the one stored everywhere: a tar whose entries are named "./…" (the name
 * normaliser checks and fixes that, as for the archive endpoint), POSIX/pax headers, owners as
 * numbers, extended attributes kept, no atime/ctime records (an unchanged volume gives the same
 * bytes). Restores go through the tar guard first, exactly as before; GNU tar then extracts the
 * canonical names under "v/" at "/" of a helper whose only writable mounts are the volume and the
 * pipe folder (its own filesystem is read-only, its network none).
 *
 * The pipe: `mkfifo` in the shared folder; the helper's tar opens its end, this process opens the
 * other (an open of a FIFO waits for its peer — if the helper dies first, we open its end ourselves
 * to release ours), then the fd becomes a net.Socket (libuv treats a FIFO as a stream: no
 * thread-pool thread held, backpressure as for any socket). The helper's side holds the FIFO as
 * tar's stdin or stdout after enlarging its buffer to 1 MiB (F_SETPIPE_SZ, by the image's perl,
 * which Debian always has): with the 64 KiB default, writer and reader took turns every 64 KiB and
 * extracting 1 GiB through the pipe took 2.6–3.1 s against 1.1–1.2 s with 1 MiB (same tar, same
 * volume). An image without perl runs tar on the FIFO directly. The stream ends only after the helper's
 * script said it ended with 0 (tar's 1, "file changed as we read it", is a warning: the archive
 * endpoint says nothing in that case), so a tar that failed half-way never passes for a whole
 * archive. It says so on a second FIFO and removes itself, so no one waits for the engine to tear
 * its container down (pipe-helper-run.ts: ~1 s after a 1 GiB restore).
 */
import { readdir, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Engine, HelperPipes } from '../docker/engine.js';
import { createLogger } from '../log.js';
import { TarNameNormalizer } from './archive-names.js';
import { abortable, cancelled, engineFailure, withinGrace } from './errors.js';
import { PIPE_HELPER_LABEL, removeHelper, type Helper } from './helper.js';
import { cleanUpPipeRun, openOurEnd, startPipeHelper, STATUS_GRACE_MS } from './pipe-helper-run.js';

const log = createLogger('sources');

/** GNU tar's options for reading a volume (see the header for each choice). */
export const TAR_CREATE_OPTIONS = "--format=posix --numeric-owner --xattrs '--xattrs-include=*' --pax-option=delete=atime,delete=ctime";
/** …and for extracting one as root: owners, modes, xattrs; directories' times and modes set last. */
// --read-full-records: a pipe hands over what is there, not whole 10 KiB records.
export const TAR_EXTRACT_OPTIONS = "--read-full-records --blocking-factor=2048 --numeric-owner --same-owner --same-permissions --xattrs '--xattrs-include=*' --delay-directory-restore --warning=no-unknown-keyword";

/** Linux's F_SETPIPE_SZ, and the size asked for: /proc/sys/fs/pipe-max-size's default, allowed unprivileged. */
const F_SETPIPE_SZ = 1031;
const PIPE_BYTES = 1 << 20;

/**
 * Shell text that runs `tar` (its options, without -f) on the FIFO "$1" as its stdin (`read`) or
 * stdout (`write`), the pipe's buffer enlarged first; a failed enlargement changes nothing else.
 */
export function tarOnFifo(side: 'read' | 'write', tarArgs: string): string {
  const [handle, mode] = side === 'read' ? ['STDIN', '<'] : ['STDOUT', '>'];
  const perl = `open(${handle}, "${mode}", shift) or die "hindsight-tar: cannot open the pipe: $!\\n"; fcntl(${handle}, ${F_SETPIPE_SZ}, ${PIPE_BYTES}); exec @ARGV or die "hindsight-tar: cannot run tar: $!\\n"`;
  return `if command -v perl >/dev/null 2>&1; then exec perl -e '${perl}' "$1" tar -f - ${tarArgs}; else exec tar -f "$1" ${tarArgs}; fi`;
}

/** tarOnFifo's reading side for a script that made the pipe its stdin already (prepareVolumeWrite's gate). */
export function tarOnStdin(tarArgs: string): string {
  const perl = `fcntl(STDIN, ${F_SETPIPE_SZ}, ${PIPE_BYTES}); exec @ARGV or die "hindsight-tar: cannot run tar: $!\\n"`;
  return `if command -v perl >/dev/null 2>&1; then exec perl -e '${perl}' tar -f - ${tarArgs}; else exec tar -f - ${tarArgs}; fi`;
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * What a script in a helper (the volume mounted read-only at `mount`) writes into the FIFO "$1", as
 * a stream through `last` (a stage of the caller's: the tar name normaliser, a parser). The stream
 * ends only once the script exited with a status `accept` takes (its 'warn' is logged and resolves
 * `warned`); anything else fails the stream with the helper's own last lines.
 */
async function readThroughPipe(
  engine: Engine & { pipes: HelperPipes },
  opts: { volume: string; mount: string; script: string; args?: string[]; last: Transform; accept: (status: number) => 'ok' | 'warn' | 'fail'; warning: string; label: string; signal?: AbortSignal | undefined; what: string },
): Promise<{ stream: Readable; helper: Helper; closed: Promise<void>; warned: Promise<boolean> }> {
  const { signal, what, last: out } = opts;
  const r = await startPipeHelper(engine, engine.pipes, {
    purpose: 'volume-source',
    volume: opts.volume,
    target: opts.mount,
    readOnly: true,
    script: opts.script,
    ...(opts.args ? { args: opts.args } : {}),
    signal,
    what,
  });
  const fd = await openOurEnd(r.fifo, 'read', Promise.race([r.exited, aborted(signal)]));
  if (fd === null) {
    const status = await r.exited.catch(() => -1);
    const failure = signal?.aborted ? cancelled(what) : await r.failure(opts.label, status);
    await cleanUpPipeRun(engine, r);
    throw failure;
  }
  const pipe = new Socket({ fd, readable: true, writable: false });
  // Its failures reach `out` through the pipeline; one after that (a late ECONNRESET) must not
  // become an unhandled 'error' event that ends the process.
  pipe.on('error', () => undefined);
  let warned = false;
  // Holds back the end of the stream until the script has said it finished well.
  const ended = new Transform({
    transform: (chunk, _enc, cb) => cb(null, chunk),
    flush: (cb) => {
      r.exited.then(
        async (status) => {
          const verdict = opts.accept(status);
          if (verdict === 'ok') return cb();
          if (verdict === 'warn') {
            warned = true;
            log.warn(`${what}: ${opts.warning}`);
            return cb();
          }
          cb(await r.failure(opts.label, status));
        },
        (e: unknown) => cb(engineFailure(e, what, signal, engine.localSocket)),
      );
    },
  });
  // Until the caller pipes it somewhere, a failure must not be an unhandled 'error' event; a
  // pipeline attached later still sees it (the stream is destroyed with it).
  out.on('error', () => undefined);
  const onAbort = () => out.destroy(cancelled(what));
  signal?.addEventListener('abort', onAbort, { once: true });
  const flowing = pipeline(pipe, ended, out).catch((e: unknown) => {
    if (!out.destroyed) out.destroy(e as Error);
  });
  // 'close' comes after 'end', an error or destroy(): then the pipe, the helper and the FIFO go.
  const closed = new Promise<void>((resolve) =>
    out.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      pipe.destroy();
      void flowing.then(() => cleanUpPipeRun(engine, r)).then(resolve);
    }),
  );
  return { stream: out, helper: r.helper, closed, warned: closed.then(() => warned) };
}

/**
 * The volume's content as a tar stream, read by GNU tar in a helper (mounted read-only at `mount`).
 * With `listedIncremental` (a snapshot file in the pipe folder, see backup/levels.ts) it is a GNU
 * listed-incremental level: what changed since the level that file records (all of it when the file
 * does not exist yet), and the file is updated to this level. Devices are not compared: the volume
 * is mounted into a new helper every time. `changed` resolves true when GNU tar said files changed
 * while it read them (exit 1: the copy is not consistent, though kept).
 */
export async function readVolumeThroughPipe(
  engine: Engine & { pipes: HelperPipes },
  opts: { volume: string; mount: string; listedIncremental?: string | undefined; signal?: AbortSignal | undefined; what: string },
): Promise<{ stream: Readable; helper: Helper; closed: Promise<void>; changed: Promise<boolean> }> {
  const level = opts.listedIncremental ? ` --no-check-device --listed-incremental="$2"` : '';
  const r = await readThroughPipe(engine, {
    volume: opts.volume,
    mount: opts.mount,
    script: tarOnFifo('write', `-c ${TAR_CREATE_OPTIONS}${level} -C ${opts.mount} .`),
    ...(opts.listedIncremental ? { args: [opts.listedIncremental] } : {}),
    last: new TarNameNormalizer({ what: `The archive of volume ${opts.volume}` }),
    accept: (status) => (status === 0 ? 'ok' : status === 1 ? 'warn' : 'fail'),
    warning: 'files changed while they were read (GNU tar exit 1); stop the containers that write to the volume for a consistent copy',
    label: `GNU tar reading volume ${opts.volume}`,
    signal: opts.signal,
    what: opts.what,
  });
  return { stream: r.stream, helper: r.helper, closed: r.closed, changed: r.warned };
}

/**
 * The entries of a volume's tree, each as "<type> <path>" (find's %y, 'd' for a directory, and
 * its path from the root, "" for the root itself), NUL-terminated, in no particular order.
 * Sockets are left out, as GNU tar leaves them out of archives and their listings.
 */
export async function listVolumeThroughPipe(
  engine: Engine & { pipes: HelperPipes },
  opts: { volume: string; mount: string; signal?: AbortSignal | undefined; what: string },
): Promise<{ stream: Readable; closed: Promise<void> }> {
  const r = await readThroughPipe(engine, {
    volume: opts.volume,
    mount: opts.mount,
    script: `cd ${opts.mount} && find . ! -type s -printf '%y %P\\0' > "$1"`,
    last: new Transform({ transform: (chunk, _enc, cb) => cb(null, chunk) }),
    accept: (status) => (status === 0 ? 'ok' : 'fail'),
    warning: '',
    label: `Listing volume ${opts.volume}`,
    signal: opts.signal,
    what: opts.what,
  });
  return { stream: r.stream, closed: r.closed };
}

/** A volume's writer made ready (prepareVolumeWrite): `write` streams a tar into it, `abandon` lets it go untouched. */
export interface PreparedVolumeWrite {
  write(tar: Readable): Promise<{ helper: Helper }>;
  abandon(): Promise<void>;
}

/** What opens a prepared writer's gate: the first line on its pipe. */
const GATE_WORD = 'go';

/**
 * Extracts `tar` (already guarded: canonical names under "v/", see volume-sink.ts) at "/" of a
 * helper that mounts the volume at `mount`, after running `before` there (clearing) if given.
 */
export async function writeVolumeThroughPipe(
  engine: Engine & { pipes: HelperPipes },
  opts: { volume: string; mount: string; tar: Readable; before?: string | undefined; incremental?: boolean; signal?: AbortSignal | undefined; what: string },
): Promise<{ helper: Helper }> {
  let prepared: PreparedVolumeWrite;
  try {
    prepared = await prepareVolumeWrite(engine, opts);
  } catch (e) {
    if (!opts.tar.readableEnded) opts.tar.destroy();
    throw e;
  }
  return prepared.write(opts.tar);
}

/**
 * writeVolumeThroughPipe's first half: the helper made and started and the pipe open, its script
 * held at a gate — it reads one line from the pipe before it does anything, and only the word
 * `write` sends lets it clear the volume and extract; the end of the pipe before it (`abandon`)
 * ends it having touched nothing. The agent makes a restore's writer ready while the console's
 * pre-flight runs (agent/direct-restore.ts): a container's start is ~0.2–0.5 s on a busy host.
 * (dash's `read` takes one byte at a time from a pipe, so tar gets every byte after the line.)
 */
export async function prepareVolumeWrite(
  engine: Engine & { pipes: HelperPipes },
  opts: { volume: string; mount: string; before?: string | undefined; incremental?: boolean; signal?: AbortSignal | undefined; what: string },
): Promise<PreparedVolumeWrite> {
  const { signal, what } = opts;
  // A level of a chain: GNU tar performs the renames and deletions its dumpdirs list (guarded, tar-dumpdir.ts).
  const levels = opts.incremental ? ' --listed-incremental=/dev/null' : '';
  const gate = `exec 3<"$1" || exit 1\nIFS= read -r word <&3 || exit 0\n[ "$word" = ${GATE_WORD} ] || { echo "hindsight-tar: the pipe did not begin with the word to begin" >&2; exit 2; }\nexec 0<&3 3<&-`;
  const r = await startPipeHelper(engine, engine.pipes, {
    purpose: 'volume-sink',
    volume: opts.volume,
    target: opts.mount,
    readOnly: false,
    script: `${gate}\n${opts.before ? `${opts.before} && ` : ''}${tarOnStdin(`-x ${TAR_EXTRACT_OPTIONS}${levels} -C /`)}`,
    signal,
    what,
  });
  let pipe: Socket;
  try {
    const fd = await openOurEnd(r.fifo, 'write', Promise.race([r.exited, aborted(signal)]));
    if (fd === null) {
      if (signal?.aborted) throw cancelled(what);
      throw await r.failure(`GNU tar writing volume ${opts.volume}`, await r.exited.catch(() => -1));
    }
    pipe = new Socket({ fd, readable: false, writable: true });
    // A write failing after the pipeline settled (EPIPE once tar gave up) must not be an unhandled
    // 'error' event: tar's exit status and the input's error say what happened.
    pipe.on('error', () => undefined);
  } catch (e) {
    await cleanUpPipeRun(engine, r);
    throw e;
  }
  let used = false;
  return {
    abandon: async () => {
      if (used) return;
      used = true;
      pipe.destroy(); // the end of the pipe before the word: the script exits, nothing done
      await withinGrace(r.exited, STATUS_GRACE_MS, () => -1).catch(() => -1);
      await cleanUpPipeRun(engine, r);
    },
    write: async (tar) => {
      if (used) throw new Error(`${what}: the prepared writer was used already`);
      used = true;
      try {
        try {
          pipe.write(`${GATE_WORD}\n`);
          await pipeline(tar, pipe, ...(signal ? [{ signal }] : []));
        } catch (e) {
          if (signal?.aborted) throw cancelled(what);
          // A broken pipe means tar stopped reading: its own message says why.
          const status = await withinGrace<number | null>(r.exited, STATUS_GRACE_MS, () => null).catch(() => null);
          if (status !== null && status !== 0 && (e as NodeJS.ErrnoException).code === 'EPIPE') throw await r.failure(`GNU tar writing volume ${opts.volume}`, status);
          throw e;
        }
        const status = await abortable(r.exited, signal, what);
        if (status !== 0) throw await r.failure(`GNU tar writing volume ${opts.volume}`, status);
        return { helper: r.helper };
      } finally {
        if (!tar.readableEnded) tar.destroy();
        await cleanUpPipeRun(engine, r);
      }
    },
  };
}

/**
 * What a killed run left: its helpers (a tar still waiting on a pipe nobody reads) and FIFOs. Only
 * for a process that owns the pipe folder alone — the agent's daemon, when its container starts, as
 * every run of the container before it died with it. Returns how many of each it removed.
 */
export async function removePipeLeftovers(engine: Engine & { pipes: HelperPipes }): Promise<{ helpers: number; pipes: number }> {
  const list = await engine.docker.listContainers({ all: true, filters: { label: [`${PIPE_HELPER_LABEL}=true`] } });
  let helpers = 0;
  for (const c of list.filter((x) => x.Labels?.[PIPE_HELPER_LABEL] === 'true')) if (await removeHelper(engine, c.Id)) helpers++;
  let pipes = 0;
  for (const name of await readdir(engine.pipes.dir).catch(() => [] as string[])) {
    if (!name.startsWith('tar-')) continue;
    await unlink(join(engine.pipes.dir, name)).then(() => pipes++, () => undefined);
  }
  return { helpers, pipes };
}
