/**
 * Per-target locks (ARCHITECTURE §6 step 2): one operation at a time — backup, restore or verify —
 * on a volume or a container of an engine. Keyed by the ENGINE's own ID (docker-engine-id.ts), not
 * by our host id, so two host entries that reach the same engine exclude each other. Held
 * in-process (a Map: the app, the CLI and tests share one backend object) and on disk
 * (<config dir>/operations/locks/<sha1>.lock, created with O_EXCL), so a second process — another
 * CLI run — is refused too. The journals, not the locks, carry what an interrupted run left.
 *
 * A lock file whose process is gone is stale and taken over without a race: only the holder of
 * `<lock>.takeover` (O_EXCL) may remove it, after reading it again and finding it still the stale
 * one; then the contenders create the lock with O_EXCL again, and one wins (see takeOver).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RpcError } from '../../../shared/contract/errors.js';
import { operationsDir, pidAlive } from './journal.js';

export interface TargetKey {
  /** The engine's own ID (engineId()), the same whichever host entry reaches it. */
  engineId: string;
  kind: 'volume' | 'container' | 'plan';
  name: string;
}

export function targetKeyString(k: TargetKey): string {
  return `${k.engineId}/${k.kind}/${k.name}`;
}


export class TargetLocks {
  private readonly held = new Map<string, string>();

  constructor(private readonly configDir: string) {}

  private file(key: string): string {
    return path.join(operationsDir(this.configDir), 'locks', `${createHash('sha1').update(key).digest('hex')}.lock`);
  }

  /** Holder operation id of a target, if any (in this process or a live other one). */
  async holder(k: TargetKey): Promise<string | undefined> {
    const key = targetKeyString(k);
    const local = this.held.get(key);
    if (local) return local;
    const existing = await readLock(this.file(key));
    return existing && isHeld(existing) ? existing.opId : undefined;
  }

  /**
   * Takes every target or none: CONFLICT naming the operation that holds one. Returns the release
   * function (idempotent).
   */
  async acquire(opId: string, keys: TargetKey[]): Promise<() => Promise<void>> {
    const taken: string[] = [];
    const release = async () => {
      for (const key of taken.splice(0)) {
        if (this.held.get(key) === opId) this.held.delete(key);
        const f = this.file(key);
        const cur = await readLock(f);
        if (cur?.opId === opId) await fs.rm(f, { force: true });
      }
    };
    try {
      for (const k of keys) {
        const key = targetKeyString(k);
        const other = this.held.get(key);
        if (other) throw conflict(k, other);
        this.held.set(key, opId);
        taken.push(key);
        await this.takeFile(key, k, opId);
      }
    } catch (e) {
      await release();
      throw e;
    }
    return release;
  }

  private async takeFile(key: string, k: TargetKey, opId: string): Promise<void> {
    const f = this.file(key);
    await fs.mkdir(path.dirname(f), { recursive: true, mode: 0o700 });
    const body = JSON.stringify({ opId, pid: process.pid, key, token: randomBytes(8).toString('hex'), at: new Date().toISOString() });
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await fs.writeFile(f, body, { flag: 'wx', mode: 0o600 });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const cur = await readLock(f);
      if (cur && isHeld(cur)) throw conflict(k, cur.opId);
      // Stale (its process is gone) or a leftover of ours not in the Map: take it over.
      if (cur) await takeOver(f, cur, k);
    }
    throw conflict(k, 'another operation');
  }
}

/**
 * Removes the stale lock `judged` — only while holding `<lock>.takeover` (created with O_EXCL), so
 * that two contenders never both remove: the holder re-reads the lock and removes it only if it is
 * still the very one judged stale (a fresh lock is only ever created where none exists, and only a
 * takeover holder removes one). Then everyone races for the lock with O_EXCL again: one wins.
 * A takeover file left by a process that died during these few milliseconds is cleared after 10 s.
 */
async function takeOver(f: string, judged: LockFile, k: TargetKey): Promise<void> {
  const t = `${f}.takeover`;
  for (let i = 0; i < 200; i++) {
    try {
      await fs.writeFile(t, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const age = await fs.stat(t).then((st) => Date.now() - st.mtimeMs, () => 0);
    if (age > 10_000) await fs.rm(t, { force: true });
    else await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    if (i === 199) throw conflict(k, 'another operation');
  }
  try {
    const now = await readLock(f);
    if (!now) return; // gone already
    if (now.token !== judged.token || now.pid !== judged.pid || isHeld(now)) throw conflict(k, now.opId);
    await fs.rm(f, { force: true });
  } finally {
    await fs.rm(t, { force: true });
  }
}

function conflict(k: TargetKey, opId: string): RpcError {
  return new RpcError('CONFLICT', `The ${k.kind} ${k.name} on this engine is in use by operation ${opId}; try again when it has finished.`, 'refused: target locked');
}

interface LockFile {
  opId: string;
  pid: number;
  token: string | undefined;
  /** Not (yet) valid JSON: being written right now, or left half-written by a crash. */
  unreadableForMs?: number;
}

/** A lock another process holds. One being written is held for a few seconds, never judged stale at once. */
function isHeld(l: LockFile): boolean {
  if (l.unreadableForMs !== undefined) return l.unreadableForMs < 10_000;
  return l.pid !== process.pid && pidAlive(l.pid);
}

async function readLock(file: string): Promise<LockFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const v = JSON.parse(text) as { opId?: unknown; pid?: unknown; token?: unknown };
    const token = typeof v.token === 'string' ? v.token : undefined;
    if (typeof v.opId === 'string' && typeof v.pid === 'number') return { opId: v.opId, pid: v.pid, token };
  } catch {
    // fall through
  }
  const age = await fs.stat(file).then((st) => Date.now() - st.mtimeMs, () => Infinity);
  return { opId: 'another operation', pid: -1, token: undefined, unreadableForMs: age };
}
