/**
 * Per-target locks (ARCHITECTURE §6 step 2): one operation at a time on a volume (hostId+volume)
 * or a database container (hostId+container). Held in-process (a Map: the app, the CLI and tests
 * share one backend object) and on disk (<config dir>/operations/locks/<sha1>.lock, created with
 * O_EXCL), so a second process — another CLI run — is refused too. A lock file whose process is
 * gone is stale and taken over; the journals, not the locks, carry what an interrupted run left.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RpcError } from '../../../shared/contract/errors.js';
import { operationsDir, pidAlive } from './journal.js';

export interface TargetKey {
  hostId: string;
  kind: 'volume' | 'container';
  name: string;
}

export function targetKeyString(k: TargetKey): string {
  return `${k.hostId}/${k.kind}/${k.name}`;
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
    return existing && pidAlive(existing.pid) && existing.pid !== process.pid ? existing.opId : undefined;
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
    const body = JSON.stringify({ opId, pid: process.pid, key, at: new Date().toISOString() });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await fs.writeFile(f, body, { flag: 'wx', mode: 0o600 });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const cur = await readLock(f);
      if (cur && cur.pid !== process.pid && pidAlive(cur.pid)) throw conflict(k, cur.opId);
      // Stale (its process is gone) or a leftover of ours not in the Map: take it over.
      await fs.rm(f, { force: true });
    }
    throw conflict(k, 'another operation');
  }
}

function conflict(k: TargetKey, opId: string): RpcError {
  return new RpcError('CONFLICT', `The ${k.kind} ${k.name} on this host is in use by operation ${opId}; try again when it has finished.`);
}

async function readLock(file: string): Promise<{ opId: string; pid: number } | undefined> {
  try {
    const v = JSON.parse(await fs.readFile(file, 'utf8')) as { opId?: unknown; pid?: unknown };
    if (typeof v.opId === 'string' && typeof v.pid === 'number') return { opId: v.opId, pid: v.pid };
    return { opId: 'unknown', pid: -1 };
  } catch {
    return undefined;
  }
}
