/**
 * Which run of the agent's container this process belongs to. Every process of one container start
 * shares its PID 1; a restart (crash, kill, reboot) starts a new PID 1 at another time. So
 * "<boot id>:<PID 1 start time>" names a container run, and a lock entry in a repository whose
 * owner is this agent with another instance was left by a run that no longer exists: nothing of it
 * can still be writing, and the restarted agent clears it at once instead of waiting for it to expire.
 */
import { readFileSync } from 'node:fs';
import type { RepositoryBackend } from '../repository/index.js';
import { lockEntries } from '../repository/format/locks.js';
import { LOCKS_PREFIX } from '../repository/format/layout.js';

export function containerInstance(): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
    // Field 22 of /proc/1/stat, after the ")" that ends the command name.
    const fields = readFileSync('/proc/1/stat', 'utf8').split(') ')[1]!.split(' ');
    return `${boot}:${fields[19]}`;
  } catch {
    return `pid${process.pid}-${Date.now()}`;
  }
}

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
