/**
 * Shell text for the commands a restore plan shows (what a person could type to do the same by
 * hand): quoting, the `ssh …` prefix, and the left half of every restore pipe. Pure.
 */
import type { ManifestSource } from '../../../shared/contract/snapshots.js';

/** POSIX shell quoting: bare when safe, else single quotes. */
export function sh(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `ssh …` prefix for a command on the target host (none for the local engine). */
export function onHost(ssh: string | undefined, cmd: string): string {
  return ssh ? `ssh ${ssh} ${sh(cmd)}` : cmd;
}

/** Reads the stored object and undoes encryption and compression: the left half of every restore pipe. */
export function decodeCommand(src: Pick<ManifestSource, 'objectKey' | 'compression' | 'encryption'>): string {
  const parts = [src.encryption === 'none' ? `cat ${sh(src.objectKey)}` : src.encryption === 'age-recipients' ? `age -d -i key.txt ${sh(src.objectKey)}` : `age -d ${sh(src.objectKey)}`];
  parts.push(src.compression === 'zstd' ? 'zstd -d' : 'gzip -d');
  return parts.join(' | ');
}

/** `produce | zstd > file`, with the whole pipe on the host when the copy is kept there. */
export function compressedCopy(ssh: string | undefined, produce: string, file: string, keptOnHost: boolean): string {
  return keptOnHost ? onHost(ssh, `${produce} | zstd > ${file}`) : `${onHost(ssh, produce)} | zstd > ${file}`;
}
