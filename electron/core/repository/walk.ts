/**
 * Listing for the file-like backends (local folder, SFTP), in S3's order and with S3's prefix
 * semantics, over one primitive: read one directory.
 *
 * Order: S3 lists keys in UTF-8 byte order. A depth-first walk yields the same order if, inside a
 * directory, a subdirectory "a" is sorted as "a/" — every key below it starts with "a/", so it
 * sits exactly where those keys would fall among their siblings ("a-b" < "a/x" < "a0").
 */
import { TEMP_SUFFIX, compareKeys, type ObjectInfo } from './backend.js';

export interface DirEntry {
  name: string;
  kind: 'file' | 'dir' | 'other';
  size: number;
}

/** Reads one directory ("" is the repository root); null when it does not exist. */
export type ReadDir = (relDir: string) => Promise<DirEntry[] | null>;

function splitPrefix(prefix: string): { dir: string; namePrefix: string } {
  const slash = prefix.lastIndexOf('/');
  return slash < 0 ? { dir: '', namePrefix: prefix } : { dir: prefix.slice(0, slash), namePrefix: prefix.slice(slash + 1) };
}

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
const sortName = (e: DirEntry) => (e.kind === 'dir' ? `${e.name}/` : e.name);

export async function* walkSorted(readDir: ReadDir, prefix: string, signal?: AbortSignal): AsyncGenerator<ObjectInfo> {
  const { dir, namePrefix } = splitPrefix(prefix);
  yield* walkDir(readDir, dir, namePrefix, signal);
}

async function* walkDir(readDir: ReadDir, dir: string, namePrefix: string, signal?: AbortSignal): AsyncGenerator<ObjectInfo> {
  signal?.throwIfAborted();
  const entries = await readDir(dir);
  if (!entries) return;
  const relevant = entries
    // In-flight uploads (`<key>.tmp-<hex>`) are invisible: an object appears only once complete.
    .filter((e) => e.name.startsWith(namePrefix) && e.kind !== 'other' && !(e.kind === 'file' && TEMP_SUFFIX.test(e.name)))
    .sort((a, b) => compareKeys(sortName(a), sortName(b)));
  for (const e of relevant) {
    const key = join(dir, e.name);
    if (e.kind === 'dir') yield* walkDir(readDir, key, '', signal);
    else yield { key, size: e.size };
  }
}
