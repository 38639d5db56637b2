/**
 * A repository in a local folder — the embedded default (`<app data dir>/repository`), so a new
 * user can back up and restore with no configuration at all. Also what a USB disk or an NFS mount
 * looks like to Hindsight.
 *
 * Writes go to `<key>.tmp-<hex>` next to the target, are fsynced, then renamed into place (and the
 * directory fsynced), so neither a reader nor a crash ever sees half an object. Files are 0600 and
 * directories 0700: a repository holds production data.
 */
import { createWriteStream } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertKey,
  assertPrefix,
  type BackendCapabilities,
  type GetOptions,
  type ObjectInfo,
  type ObjectStat,
  type PutOptions,
  type RepositoryBackend,
  type SignalOption,
} from './backend.js';
import { errnoOf, notFound, storageError } from './errors.js';
import { ByteCounter, destroyOnAbort, tempKeyFor, throwIfAborted } from './streams.js';
import { walkSorted, type DirEntry } from './walk.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** The default repository of a config dir (which is also the app's data dir). */
export function defaultLocalRepositoryPath(configDir: string): string {
  return path.join(configDir, 'repository');
}

export class LocalBackend implements RepositoryBackend {
  readonly kind = 'local' as const;
  readonly location: string;

  constructor(private readonly root: string) {
    this.root = path.resolve(root);
    this.location = `Local repository ${this.root}`;
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  async putObject(key: string, body: Readable, opts: PutOptions = {}): Promise<{ bytes: number }> {
    assertKey(key);
    const { signal } = opts;
    const target = this.pathOf(key);
    const tmp = tempKeyFor(target);
    try {
      throwIfAborted(signal, this.location, `Writing ${key}`);
      await fs.mkdir(path.dirname(target), { recursive: true, mode: DIR_MODE });
      const counter = new ByteCounter(opts.contentLength, key);
      // flush: fsync before close; the pipeline settles only after the close, so the data is on
      // disk before the rename makes it visible.
      const file = createWriteStream(tmp, { flags: 'wx', mode: FILE_MODE, flush: true, highWaterMark: 1 << 20 });
      await pipeline(body, counter, file, { signal });
      throwIfAborted(signal, this.location, `Writing ${key}`);
      await fs.rename(tmp, target);
      await syncDir(path.dirname(target));
      return { bytes: counter.bytes };
    } catch (e) {
      body.destroy();
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw storageError(e, this.location, `writing ${key}`, signal);
    }
  }

  async getObject(key: string, opts: GetOptions = {}): Promise<Readable> {
    assertKey(key);
    const { signal, range } = opts;
    let handle: FileHandle | undefined;
    try {
      throwIfAborted(signal, this.location, `Reading ${key}`);
      handle = await fs.open(this.pathOf(key), 'r');
      if (!(await handle.stat()).isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      const stream = handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: 1 << 20 });
      handle = undefined; // the stream owns it now and closes it when done or destroyed
      return destroyOnAbort(stream, signal);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') throw notFound(this.location, key);
      throw storageError(e, this.location, `reading ${key}`, signal);
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    assertKey(key);
    try {
      const st = await fs.stat(this.pathOf(key));
      return st.isFile() ? { size: st.size, mtime: st.mtime } : null;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return null;
      throw storageError(e, this.location, `looking at ${key}`);
    }
  }

  private readonly readDir = async (relDir: string): Promise<DirEntry[] | null> => {
    const abs = relDir ? this.pathOf(relDir) : this.root;
    try {
      const dirents = await fs.readdir(abs, { withFileTypes: true });
      return await Promise.all(
        dirents.map(async (d): Promise<DirEntry> => {
          if (d.isDirectory()) return { name: d.name, kind: 'dir', size: 0 };
          if (!d.isFile()) return { name: d.name, kind: 'other', size: 0 };
          // A file may vanish between readdir and stat (a concurrent delete): list it as gone.
          const st = await fs.stat(path.join(abs, d.name)).catch(() => undefined);
          return st ? { name: d.name, kind: 'file', size: st.size } : { name: d.name, kind: 'other', size: 0 };
        }),
      );
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return null;
      throw storageError(e, this.location, `listing ${relDir || '/'}`);
    }
  };

  list(prefix: string, opts: SignalOption = {}): AsyncIterable<ObjectInfo> {
    assertPrefix(prefix);
    return walkSorted(this.readDir, prefix, opts.signal);
  }

  async deleteObject(key: string): Promise<void> {
    assertKey(key);
    try {
      await fs.unlink(this.pathOf(key));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return;
      throw storageError(e, this.location, `deleting ${key}`);
    }
  }

  /** Writes a temp file, then link(2)s it to the key: atomic, and it fails if the key exists. */
  async putIfAbsent(key: string, body: Buffer): Promise<boolean> {
    assertKey(key);
    const target = this.pathOf(key);
    const tmp = tempKeyFor(target);
    try {
      await fs.mkdir(path.dirname(target), { recursive: true, mode: DIR_MODE });
      const handle = await fs.open(tmp, 'wx', FILE_MODE);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await fs.link(tmp, target);
      } catch (e) {
        if (errnoOf(e) === 'EEXIST') return false;
        throw e;
      }
      await syncDir(path.dirname(target));
      return true;
    } catch (e) {
      throw storageError(e, this.location, `creating ${key}`);
    } finally {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  async capabilities(): Promise<BackendCapabilities> {
    return { atomicPutIfAbsent: true };
  }

  async close(): Promise<void> {}
}

/** Persists a rename. Directories cannot be opened for fsync on Windows; skip there. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
