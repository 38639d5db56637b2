/**
 * One SSH connection with an SFTP channel to a backup server, opened on first use and opened again
 * after it drops. Connecting is the hosts' own code (electron/core/ssh/connect.ts): the same
 * lookup → tcp → host key check against known_hosts → key/agent auth, with the same errors
 * (HOSTKEY_UNKNOWN carries the fingerprint to show; a changed key is refused).
 *
 * The SFTP calls are promisified here, and SFTP status codes are mapped onto errno names so the
 * backend can share its error handling with the local folder (errors.ts).
 */
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import type { SshAuth } from '../../../../shared/contract/hosts.js';
import { RpcError } from '../../../../shared/contract/errors.js';
import { openSshClient, type SshConnectDeps } from '../../ssh/connect.js';
import { detailOf } from '../../step-error.js';

export interface SftpTarget {
  address: string;
  port: number;
  user: string;
  auth: SshAuth;
  passphrase?: string;
  /** How messages name the connection, e.g. `SFTP repository annex`. */
  label: string;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02) → errno names. */
const STATUS_TO_ERRNO: Record<number, string> = {
  2: 'ENOENT', // NO_SUCH_FILE
  3: 'EACCES', // PERMISSION_DENIED
  4: 'SFTP_FAILURE', // FAILURE: OpenSSH's answer to EEXIST, ENOTEMPTY, ENOSPC and friends
  6: 'ECONNRESET', // NO_CONNECTION
  7: 'ECONNRESET', // CONNECTION_LOST
  8: 'ENOTSUP', // OP_UNSUPPORTED
};

/** Rewrites an ssh2 SFTP error so `e.code` is an errno-like string (its number stays in `sftpStatus`). */
export function asErrno(e: unknown): unknown {
  if (e instanceof Error && typeof (e as { code?: unknown }).code === 'number') {
    const status = (e as unknown as { code: number }).code;
    return Object.assign(e, { code: STATUS_TO_ERRNO[status] ?? 'SFTP_FAILURE', sftpStatus: status });
  }
  return e;
}

/** Runs one callback-style SFTP call; a synchronous throw (e.g. "not supported") rejects too. */
export function call<T = void>(fn: (cb: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, value) => (err ? reject(asErrno(err)) : resolve(value as T)));
    } catch (e) {
      reject(asErrno(e));
    }
  });
}

/** ssh2 throws this synchronously when the server lacks an @openssh.com extension. */
export function isUnsupported(e: unknown): boolean {
  return e instanceof Error && (/does not support/i.test(e.message) || (e as NodeJS.ErrnoException).code === 'ENOTSUP');
}

interface Live {
  client: Client;
  sftp: SFTPWrapper;
}

export class SftpSession {
  private current: Promise<Live> | undefined;
  private closed = false;

  constructor(
    private readonly target: SftpTarget,
    private readonly deps: SshConnectDeps,
  ) {}

  /** The SFTP channel, connecting (again) if needed. */
  async sftp(): Promise<SFTPWrapper> {
    if (this.closed) throw new RpcError('INTERNAL', `${this.target.label}: the repository was closed.`);
    if (!this.current) {
      const opening = this.open();
      this.current = opening;
      // A failed connect is not cached: the next call tries again.
      opening.catch(() => {
        if (this.current === opening) this.current = undefined;
      });
    }
    return (await this.current).sftp;
  }

  private async open(): Promise<Live> {
    const { address, port, user, auth, passphrase, label } = this.target;
    const client = await openSshClient({ endpoint: { address, port, user, auth }, label, passphrase }, this.deps);
    let sftp: SFTPWrapper;
    try {
      sftp = await call<SFTPWrapper>((cb) => client.sftp(cb));
    } catch (e) {
      client.end();
      throw new RpcError('INTERNAL', `${label}: logged in, but the server does not offer SFTP.`, detailOf(e));
    }
    const live = { client, sftp };
    const forget = () => {
      if (this.current && this.closed === false) {
        void this.current.then((l) => {
          if (l === live) this.current = undefined;
        });
      }
    };
    client.on('close', forget);
    sftp.on('close', forget);
    // After 'ready', transport errors also fail the pending requests; nothing more to do here.
    client.on('error', () => undefined);
    return live;
  }

  /** Whether the server offers an `…@openssh.com` extension (ssh2 keeps the server's list privately). */
  async hasExtension(name: string): Promise<boolean> {
    const sftp = await this.sftp();
    const exts = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
    return exts?.[name] !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    const live = await current.catch(() => undefined);
    if (!live) return;
    await new Promise<void>((resolve) => {
      live.client.once('close', () => resolve());
      live.sftp.end();
      live.client.end();
      // A dead link may never say 'close'; don't hang the caller on it.
      setTimeout(resolve, 2_000).unref();
    });
  }
}

export type { Stats };
