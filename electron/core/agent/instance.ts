/**
 * Repository locks left by an earlier run of the agent's container: its lock entries name the run
 * (config/process-instance.ts), so a restarted agent clears its predecessor's at once instead of
 * waiting for them to expire — nothing of that run can still be writing.
 */
import type { RepositoryBackend } from '../repository/index.js';
import { lockEntries } from '../repository/format/locks.js';
import { LOCKS_PREFIX } from '../repository/format/layout.js';
import { containerInstance } from '../config/process-instance.js';

export { containerInstance };

/** "agent@uat instance 1a2b3c4d:12345" — this process's lock owner prefix (then " pid N"). */
export function lockOwnerPrefix(writer: string, instance: string): string {
  return `${writer} instance ${instance}`;
}

/** Deletes this agent's lock entries that an earlier container run left; returns how many. */
export async function clearOwnStaleLocks(backend: RepositoryBackend, writer: string, instance: string): Promise<number> {
  const mine = `${writer} instance `;
  const current = `${lockOwnerPrefix(writer, instance)} `;
  const names = new Set<string>();
  for await (const o of backend.list(LOCKS_PREFIX)) {
    const name = o.key.slice(LOCKS_PREFIX.length).split('/')[0];
    if (name) names.add(name);
  }
  let cleared = 0;
  for (const name of names) {
    for (const e of await lockEntries(backend, name, Date.now())) {
      if (e.owner.startsWith(mine) && !e.owner.startsWith(current)) {
        await backend.deleteObject(e.key);
        cleared++;
      }
    }
  }
  return cleared;
}
