/**
 * Which run of this machine — or of this container — a process belongs to. Every process of one
 * container start shares its PID 1; a restart (crash, kill, reboot) starts a new PID 1 at another
 * time. So "<boot id>:<PID 1 start time>" names a container run (on a plain machine: a boot).
 * What a process of another run left (a repository lock, an open multipart upload) has no writer.
 */
import { readFileSync } from 'node:fs';

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


/** The process runs (signal 0 reaches it, or it exists under another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
