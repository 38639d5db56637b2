/**
 * Directory source and sink: a directory inside a container (a config dir, an upload folder that is
 * not a volume of its own), through the archive endpoint of that container itself — no helper. The
 * container may be running or stopped for reading and writing; clearing runs `find … rm` in it with
 * exec, so it needs a running container (and find/rm in its image).
 *
 * Entry naming is the volume's (archive-names.ts): "./" is the directory itself. Without `clear`,
 * a missing directory is created (with its parents).
 */
import type { Readable } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';
import { restorePathProblem } from '../../../shared/restore-paths.js';
import type { Engine } from '../docker/engine.js';
import { readArchive, writeArchive } from './archive.js';
import { inspectContainer } from './containers.js';
import type { TarSummary } from '../pipeline/index.js';
import { assertReadable, watchInput } from './errors.js';
import { execCapture } from './exec.js';
import { guardedFor } from './volume-sink.js';

export interface DirectoryTarget {
  engine: Engine;
  container: string;
  /** Absolute path inside the container. */
  path: string;
  signal?: AbortSignal;
}

function checkPath(path: string): void {
  if (!path.startsWith('/')) throw new RpcError('INVALID_INPUT', `The directory "${path}" must be an absolute path inside the container.`);
  if (path.split('/').some((p) => p === '..' || p === '.')) throw new RpcError('INVALID_INPUT', `The directory "${path}" must not contain "." or "..".`);
  if (path.replace(/\/+$/, '') === '') throw new RpcError('INVALID_INPUT', 'The directory must not be the root of the container.');
}

/** Throws when `path` is not a directory a restore may clear and write (shared/restore-paths.ts: absolute, no "."/"..", not a system directory — the root included). */
export function checkRestorePath(path: string): void {
  const problem = restorePathProblem(path);
  if (problem) throw new RpcError('INVALID_INPUT', problem);
}

export interface DirectoryTarSource {
  stream: Readable;
  containerId: string;
  /** The container's name, as inspected before the archive was asked for. */
  name: string;
  image: string;
  /**
   * About how many bytes the directory holds (`du` in a running container, asked before the archive),
   * which bounds its tar within the quarter S3's part sizes keep spare (s3/part-size.ts); undefined
   * when the container is stopped or has no `du`.
   */
  sizeOnDisk?: number;
}

export async function openDirectoryTar(t: DirectoryTarget): Promise<DirectoryTarSource> {
  checkPath(t.path);
  const c = await inspectContainer(t.engine, t.container, t.signal);
  const what = `Reading ${t.path} of ${c.name} on ${t.engine.name}`;
  const sizeOnDisk = c.status === 'running' ? await directorySizeOnDisk(t, c.id).catch(() => undefined) : undefined;
  const stream = await readArchive(t.engine, { container: c.id, dir: t.path, signal: t.signal, what });
  // Nothing may ask the engine about this container until the stream is read: the engine holds the
  // container's lock while it sends the archive, so an inspect waits for the archive, which waits
  // for a reader (a hang as soon as the archive outgrew the connection's buffers).
  return { stream, containerId: c.id, name: c.name, image: c.image, ...(sizeOnDisk !== undefined ? { sizeOnDisk } : {}) };
}

/** `du -sk` of the directory, in bytes (unreadable parts left out: a bound for part sizes, never a check). */
async function directorySizeOnDisk(t: DirectoryTarget, containerId: string): Promise<number> {
  const out = await execCapture(t.engine, { container: containerId, cmd: ['sh', '-c', 'du -sk -- "$1" 2>/dev/null; true', 'hindsight-du', t.path], user: '0' }, { what: `Measuring ${t.path}`, signal: t.signal });
  const kib = Number(/^(\d+)\s/.exec(out)?.[1]);
  if (!Number.isFinite(kib)) throw new Error('no size');
  return kib * 1024;
}

export interface WriteDirectoryTarInput extends DirectoryTarget {
  tar: Readable;
  /** Empty the directory first (needs the container running). */
  clear: boolean;
}

/** Resolves with what the guard counted in the archive. */
export async function writeDirectoryTar(t: WriteDirectoryTarInput): Promise<TarSummary> {
  const watch = watchInput(t.tar);
  try {
    checkRestorePath(t.path);
    const c = await inspectContainer(t.engine, t.container, t.signal);
    const what = `Writing ${t.path} of ${c.name} on ${t.engine.name}`;
    if (t.clear) {
      if (c.status !== 'running') throw new RpcError('CONFLICT', `${what}: clearing the directory first needs the container running (it is ${c.status}).`);
      await execCapture(
        t.engine,
        { container: c.id, cmd: ['sh', '-c', '[ ! -d "$1" ] || find "$1" -mindepth 1 -maxdepth 1 -exec rm -rf {} +', 'hindsight-clear', t.path], user: '0' },
        { what: `Clearing ${t.path} of ${c.name} on ${t.engine.name}`, signal: t.signal },
      );
    }
    // Extracted at "/" through the guard, entries in canonical form under "<path>/" ("./x" →
    // "<path>/x"), like the volume sink: the engine would refuse relative symlinks climbing above
    // the directory otherwise. Missing parents of <path> are created by the engine.
    assertReadable(t.tar, what);
    const guard = guardedFor(t.tar, t.path.split('/').filter(Boolean).join('/'));
    await writeArchive(t.engine, { container: c.id, dir: '/', tar: guard, signal: t.signal, what });
    return guard.summary;
  } catch (e) {
    throw watch.explain(e);
  } finally {
    watch.dispose();
    if (!t.tar.readableEnded) t.tar.destroy();
  }
}

/** Removes the directory (a rollback of a restore that created it). Needs the container running. */
export async function removeDirectory(t: DirectoryTarget): Promise<void> {
  checkPath(t.path);
  const c = await inspectContainer(t.engine, t.container, t.signal);
  await execCapture(
    t.engine,
    { container: c.id, cmd: ['sh', '-c', 'rm -rf "$1"', 'hindsight-remove', t.path], user: '0' },
    { what: `Removing ${t.path} of ${c.name} on ${t.engine.name}`, signal: t.signal },
  );
}
