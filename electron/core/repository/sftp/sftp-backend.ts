/**
 * A repository in a directory of an SSH backup server, over SFTP only — it works with a server
 * that allows nothing else (`ForceCommand internal-sftp`, chrooted), like the lab's `annex`.
 *
 * Writes go to `<key>.tmp-<hex>`, are fsynced (fsync@openssh.com when offered), closed, then
 * renamed over the key with posix-rename@openssh.com (atomic replace). Without that extension,
 * plain SFTP rename refuses to replace an existing file, so the fallback removes the old object
 * first — a short window in which the key is absent, never one in which it is half-written.
 * A failed or aborted write removes its temp file; if the link itself died, the temp file stays
 * behind (listing never shows it; it is a name no key can have).
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import type { SshConnectDeps } from '../../ssh/connect.js';
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
} from '../backend.js';
import { errnoOf, notFound, storageError } from '../errors.js';
import { ByteCounter, destroyOnAbort, tempKeyFor, throwIfAborted } from '../streams.js';
import { walkSorted, type DirEntry } from '../walk.js';
import { SftpSession, call, isUnsupported, type SftpTarget } from './session.js';
import { SftpReader, SftpWriter } from './streams.js';
import type { Stats } from 'ssh2';

const posix = path.posix;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export interface SftpBackendOptions extends Omit<SftpTarget, 'label'> {
  /** The repository directory on the server (absolute, or relative to the login directory). */
  path: string;
  /** The repository's name, for messages. */
  name: string;
}

export class SftpBackend implements RepositoryBackend {
  readonly kind = 'sftp' as const;
  readonly location: string;
  private readonly root: string;
  private readonly session: SftpSession;
  /** Directories known to exist, so a burst of writes into one day does not stat it each time. */
  private readonly madeDirs = new Set<string>();

  constructor(opts: SftpBackendOptions, deps: SshConnectDeps) {
    this.root = posix.normalize(opts.path).replace(/(.)\/$/, '$1');
    const where = `sftp://${opts.user}@${opts.address}:${opts.port}${this.root.startsWith('/') ? '' : '/~/'}${this.root}`;
    this.location = `SFTP repository ${opts.name} (${where})`;
    this.session = new SftpSession({ ...opts, label: `SFTP repository ${opts.name}` }, deps);
  }

  private remote(key: string): string {
    return key === '' ? this.root : posix.join(this.root, key);
  }

  private async mkdirp(sftp: SFTPWrapper, dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    const st = await call<Stats>((cb) => sftp.stat(dir, cb)).catch((e: unknown) => {
      if (errnoOf(e) === 'ENOENT') return undefined;
      throw e;
    });
    if (!st) {
      const parent = posix.dirname(dir);
      if (parent !== dir) await this.mkdirp(sftp, parent);
      await call((cb) => sftp.mkdir(dir, { mode: DIR_MODE }, cb)).catch(async (e: unknown) => {
        // Another writer may have created it meanwhile: only a missing directory is a failure.
        const now = await call<Stats>((cb) => sftp.stat(dir, cb)).catch(() => undefined);
        if (!now?.isDirectory()) throw e;
      });
    } else if (!st.isDirectory()) {
      throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
    }
    this.madeDirs.add(dir);
  }

  /** Opens a new temp file next to `target` and returns its name and handle. */
  private async openTemp(sftp: SFTPWrapper, target: string): Promise<{ tmp: string; handle: Buffer }> {
    await this.mkdirp(sftp, posix.dirname(target));
    const tmp = tempKeyFor(target);
    const handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: FILE_MODE }, cb));
    return { tmp, handle };
  }

  async putObject(key: string, body: Readable, opts: PutOptions = {}): Promise<{ bytes: number }> {
    assertKey(key);
    const { signal } = opts;
    const target = this.remote(key);
    let sftp: SFTPWrapper | undefined;
    let tmp: string | undefined;
    let handle: Buffer | undefined;
    try {
      throwIfAborted(signal, this.location, `Writing ${key}`);
      sftp = await this.session.sftp();
      ({ tmp, handle } = await this.openTemp(sftp, target));
      const counter = new ByteCounter(opts.contentLength, key);
      await pipeline(body, counter, new SftpWriter(sftp, handle), { signal });
      await this.fsync(sftp, handle);
      const h = handle;
      handle = undefined;
      await call((cb) => sftp!.close(h, cb));
      throwIfAborted(signal, this.location, `Writing ${key}`);
      await this.replace(sftp, tmp, target);
      tmp = undefined;
      return { bytes: counter.bytes };
    } catch (e) {
      body.destroy();
      if (sftp && handle) await call((cb) => sftp!.close(handle!, cb)).catch(() => undefined);
      if (sftp && tmp) await call((cb) => sftp!.unlink(tmp!, cb)).catch(() => undefined);
      throw storageError(e, this.location, `writing ${key}`, signal);
    }
  }

  private async fsync(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
    await call((cb) => sftp.ext_openssh_fsync(handle, cb)).catch((e: unknown) => {
      // Without fsync@openssh.com the server's own write-back is all there is.
      if (!isUnsupported(e)) throw e;
    });
  }

  /** Moves tmp over target, replacing what is there. */
  private async replace(sftp: SFTPWrapper, tmp: string, target: string): Promise<void> {
    try {
      await call((cb) => sftp.ext_openssh_rename(tmp, target, cb));
      return;
    } catch (e) {
      if (!isUnsupported(e)) throw e;
    }
    await call((cb) => sftp.unlink(target, cb)).catch((e: unknown) => {
      if (errnoOf(e) !== 'ENOENT') throw e;
    });
    await call((cb) => sftp.rename(tmp, target, cb));
  }

  async getObject(key: string, opts: GetOptions = {}): Promise<Readable> {
    assertKey(key);
    const { signal, range } = opts;
    const file = this.remote(key);
    try {
      throwIfAborted(signal, this.location, `Reading ${key}`);
      const sftp = await this.session.sftp();
      const handle = await call<Buffer>((cb) => sftp.open(file, 'r', cb));
      const closeHandle = () => call((cb) => sftp.close(handle, cb));
      const st = await call<Stats>((cb) => sftp.fstat(handle, cb)).catch(async (e: unknown) => {
        await closeHandle().catch(() => undefined);
        throw e;
      });
      if (!st.isFile()) {
        await closeHandle().catch(() => undefined);
        throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      }
      const start = range?.start ?? 0;
      const endExclusive = Math.min(st.size, range?.end === undefined ? Infinity : range.end + 1);
      return destroyOnAbort(new SftpReader(sftp, handle, start, endExclusive, closeHandle), signal);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw notFound(this.location, key);
      throw storageError(e, this.location, `reading ${key}`, signal);
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    assertKey(key);
    try {
      const sftp = await this.session.sftp();
      const st = await call<Stats>((cb) => sftp.stat(this.remote(key), cb));
      return st.isFile() ? { size: st.size, mtime: new Date(st.mtime * 1000) } : null;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return null;
      throw storageError(e, this.location, `looking at ${key}`);
    }
  }

  private readonly readDir = async (relDir: string): Promise<DirEntry[] | null> => {
    try {
      const sftp = await this.session.sftp();
      const list = await call<Array<{ filename: string; attrs: Stats }>>((cb) => sftp.readdir(this.remote(relDir), cb));
      return list
        .filter((e) => e.filename !== '.' && e.filename !== '..')
        .map((e) => ({
          name: e.filename,
          kind: e.attrs.isDirectory() ? 'dir' : e.attrs.isFile() ? 'file' : 'other',
          size: e.attrs.size,
        }));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return null;
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
      const sftp = await this.session.sftp();
      await call((cb) => sftp.unlink(this.remote(key), cb));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return;
      throw storageError(e, this.location, `deleting ${key}`);
    }
  }

  /**
   * Writes a temp file, then hardlink@openssh.com's it to the key: atomic, and refused if the key
   * exists. Without that extension, plain SFTP rename — which OpenSSH also implements as
   * link()+unlink(), refusing an existing target; other servers may replace it (best-effort).
   */
  async putIfAbsent(key: string, body: Buffer): Promise<boolean> {
    assertKey(key);
    const target = this.remote(key);
    let sftp: SFTPWrapper | undefined;
    let tmp: string | undefined;
    try {
      sftp = await this.session.sftp();
      const opened = await this.openTemp(sftp, target);
      tmp = opened.tmp;
      try {
        await call((cb) => sftp!.write(opened.handle, body, 0, body.length, 0, cb));
        await this.fsync(sftp, opened.handle);
      } finally {
        await call((cb) => sftp!.close(opened.handle, cb)).catch(() => undefined);
      }
      try {
        await call((cb) => sftp!.ext_openssh_hardlink(tmp!, target, cb)).catch(async (e: unknown) => {
          if (!isUnsupported(e)) throw e;
          await call((cb) => sftp!.rename(tmp!, target, cb));
          tmp = undefined;
        });
        return true;
      } catch (e) {
        // SFTP says only "failure": whether the key now exists tells a lost race from a real error.
        if (await this.stat(key).catch(() => null)) return false;
        throw e;
      }
    } catch (e) {
      throw storageError(e, this.location, `creating ${key}`);
    } finally {
      if (sftp && tmp) await call((cb) => sftp!.unlink(tmp!, cb)).catch(() => undefined);
    }
  }

  async capabilities(): Promise<BackendCapabilities> {
    return { atomicPutIfAbsent: await this.session.hasExtension('hardlink@openssh.com') };
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
