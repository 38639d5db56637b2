/**
 * Short-lived writer locks in `locks/<name>/<token>.json`, e.g. "maintenance" while snapshots are
 * pruned or a repository is checked, so two machines do not do it at once.
 *
 * The protocol needs no conditional write, so it is equally safe on S3 servers that ignore
 * If-None-Match (s3rver, older MinIO/Ceph): write your own entry, then list the lock's entries; you
 * hold the lock only if yours is the ONLY live one, else you remove yours and try again shortly.
 * Two writers cannot both win: each lists after its own write, so whichever lists second sees the
 * other's entry (S3 has had strong read-after-write and list-after-write consistency since 2020;
 * local folders and SFTP always had it). Both may lose a round, hence a few randomised retries.
 *
 * Entries expire (default 2 minutes; the holder refreshes them, see keepAlive) so a crashed
 * writer does not block the repository forever. Expiry is judged by the reader's clock with a
 * 30 s allowance for skew between machines; expired entries are deleted by whoever sees them.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { RpcError } from '../../../../shared/contract/errors.js';
import type { RepositoryBackend, SignalOption } from '../backend.js';
import { readJsonObject, writeJsonObject } from './json-objects.js';
import { LOCKS_PREFIX } from './layout.js';

const LockEntry = z.object({
  version: z.literal(1),
  token: z.string(),
  owner: z.string(),
  purpose: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type LockEntry = z.infer<typeof LockEntry>;

const SKEW_ALLOWANCE_MS = 30_000;
const LOCK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface LockOptions extends SignalOption {
  /** Who holds it, for the message another writer gets. Default: user@host pid N. */
  owner?: string;
  purpose?: string;
  ttlMs?: number;
  /** Rounds to try when writers collide. */
  attempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RepositoryLock {
  readonly name: string;
  readonly key: string;
  readonly entry: LockEntry;
  /** Pushes the expiry forward; CONFLICT if the entry is gone (it expired and was cleared). */
  refresh(): Promise<void>;
  /** Refreshes every ttl/3 until released; `onLost` hears about a failed refresh. */
  keepAlive(onLost?: (e: unknown) => void): void;
  release(): Promise<void>;
}

function defaultOwner(): string {
  // The agent names its processes itself (agent/instance.ts): a restarted agent then recognises,
  // and clears, the locks an earlier run of its container left behind.
  if (process.env.HINDSIGHT_LOCK_OWNER) return `${process.env.HINDSIGHT_LOCK_OWNER} pid ${process.pid}`;
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `${user}@${os.hostname()} pid ${process.pid}`;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The live entries of a lock; expired ones are deleted on the way (best-effort). */
export async function lockEntries(backend: RepositoryBackend, name: string, now: number, signal?: AbortSignal): Promise<Array<LockEntry & { key: string }>> {
  const live: Array<LockEntry & { key: string }> = [];
  for await (const o of backend.list(`${LOCKS_PREFIX}${name}/`, { signal })) {
    const entry = await readJsonObject(backend, o.key, LockEntry, { signal }).catch(() => undefined);
    // Unreadable entries (gone meanwhile, foreign junk) hold nothing.
    if (!entry) continue;
    if (Date.parse(entry.expiresAt) + SKEW_ALLOWANCE_MS < now) {
      await backend.deleteObject(o.key).catch(() => undefined);
      continue;
    }
    live.push({ ...entry, key: o.key });
  }
  return live;
}

export async function acquireLock(backend: RepositoryBackend, name: string, opts: LockOptions = {}): Promise<RepositoryLock> {
  if (!LOCK_NAME.test(name)) throw new RpcError('INVALID_INPUT', `"${name}" cannot name a lock.`);
  const { signal } = opts;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const ttlMs = opts.ttlMs ?? 120_000;
  const attempts = opts.attempts ?? 4;
  let holder: LockEntry | undefined;

  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(50 + Math.random() * 200 * attempt);
    const token = randomBytes(8).toString('hex');
    const key = `${LOCKS_PREFIX}${name}/${token}.json`;
    const created = now();
    const entry: LockEntry = {
      version: 1,
      token,
      owner: opts.owner ?? defaultOwner(),
      purpose: opts.purpose ?? name,
      createdAt: new Date(created).toISOString(),
      expiresAt: new Date(created + ttlMs).toISOString(),
    };
    await writeJsonObject(backend, key, entry, { signal });
    const others = (await lockEntries(backend, name, now(), signal)).filter((e) => e.token !== token);
    if (!others.length) return makeLock(backend, name, key, entry, ttlMs, now);
    await backend.deleteObject(key).catch(() => undefined);
    holder = others.reduce((a, b) => (a.createdAt <= b.createdAt ? a : b));
  }
  throw new RpcError(
    'CONFLICT',
    `${backend.location} is locked for "${holder?.purpose ?? name}" by ${holder?.owner ?? 'another writer'} since ${holder?.createdAt ?? '?'} ` +
      `(the lock expires at ${holder?.expiresAt ?? '?'} unless renewed). Try again later.`,
  );
}

function makeLock(backend: RepositoryBackend, name: string, key: string, first: LockEntry, ttlMs: number, now: () => number): RepositoryLock {
  let entry = first;
  let timer: NodeJS.Timeout | undefined;
  let released = false;
  const lock: RepositoryLock = {
    name,
    key,
    get entry() {
      return entry;
    },
    async refresh() {
      if (released) return;
      if (!(await backend.stat(key))) {
        throw new RpcError('CONFLICT', `The lock "${name}" on ${backend.location} expired and was cleared by another writer; stop and start over.`);
      }
      entry = { ...entry, expiresAt: new Date(now() + ttlMs).toISOString() };
      await writeJsonObject(backend, key, entry);
    },
    keepAlive(onLost) {
      if (timer || released) return;
      timer = setInterval(() => {
        lock.refresh().catch((e: unknown) => {
          clearInterval(timer);
          onLost?.(e);
        });
      }, Math.max(1_000, Math.floor(ttlMs / 3)));
      timer.unref();
    },
    async release() {
      released = true;
      clearInterval(timer);
      await backend.deleteObject(key);
    },
  };
  return lock;
}
