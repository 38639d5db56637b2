/**
 * snapshots.files: one directory of a source's file index (index/<id>/<source>.files.jsonl.zst,
 * written by the backup's tar guard: one JSON line per tar entry). The object is decompressed as a
 * stream and parsed once into directory → entries (pure: buildDirectoryIndex), then kept in an LRU
 * bounded by the number of entries, so browsing a tree reads the index once.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileEntryView, SnapshotFiles } from '../../../shared/contract/backup.js';
import { RpcError } from '../../../shared/contract/errors.js';
import { createDecompressor, ZstdFrameCheck } from '../pipeline/index.js';
import { indexKey, type RepositoryBackend } from '../repository/index.js';
import { LRUCache } from 'lru-cache';

/** Entries kept in memory across every cached index (≈ 200 bytes each). */
export const FILE_INDEX_CACHE_ENTRIES = 500_000;
export const FILE_INDEX_CACHE_INDEXES = 8;

type EntryType = FileEntryView['type'];
const TYPES = new Set<EntryType>(['file', 'dir', 'symlink', 'hardlink', 'fifo', 'char', 'block']);

export interface IndexLine {
  path: string;
  type: string;
  size?: number;
  mode?: number;
  mtime?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
}

/** directory ("" = the root) → its entries, directories first then by name. */
export type DirectoryIndex = Map<string, FileEntryView[]>;

/** "./a/b/" → "a/b"; "." and "/" → "". */
export function normalizeDir(p: string): string {
  return p
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/+$/, '')
    .replace(/^\.$/, '');
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * Builds the directory map from index lines. Directories a tar holds only implicitly (an entry
 * "a/b/c" without "a/b") are added, so that every path can be reached from the root.
 */
export function buildDirectoryIndex(lines: Iterable<IndexLine>): DirectoryIndex {
  const dirs: DirectoryIndex = new Map([['', []]]);
  const seen = new Map<string, FileEntryView>();
  const add = (e: FileEntryView) => {
    const parent = parentOf(e.path);
    let list = dirs.get(parent);
    if (!list) {
      ensureDir(parent);
      list = dirs.get(parent)!;
    }
    list.push(e);
    seen.set(e.path, e);
  };
  const ensureDir = (p: string) => {
    if (p === '' || seen.has(p)) {
      if (!dirs.has(p)) dirs.set(p, []);
      return;
    }
    dirs.set(p, []);
    add({ name: p.slice(p.lastIndexOf('/') + 1), path: p, type: 'dir', size: 0, mode: 0o755, mtime: 0, uid: 0, gid: 0 });
  };
  for (const l of lines) {
    const path = normalizeDir(l.path);
    if (!path) continue; // the root itself
    const type = (TYPES.has(l.type as EntryType) ? l.type : 'file') as EntryType;
    const existing = seen.get(path);
    const entry: FileEntryView = {
      name: path.slice(path.lastIndexOf('/') + 1),
      path,
      type,
      size: l.size ?? 0,
      mode: l.mode ?? 0,
      mtime: l.mtime ?? 0,
      uid: l.uid ?? 0,
      gid: l.gid ?? 0,
      ...(l.linkname !== undefined ? { linkname: l.linkname } : {}),
    };
    if (existing) {
      // A directory made up for a child earlier, now seen for real (or a later duplicate in the tar): the last one wins.
      Object.assign(existing, entry);
      if (type === 'dir' && !dirs.has(path)) dirs.set(path, []);
      continue;
    }
    add(entry);
    if (type === 'dir' && !dirs.has(path)) dirs.set(path, []);
  }
  for (const [, list] of dirs) {
    for (const e of list) if (e.type === 'dir') e.children = dirs.get(e.path)?.length ?? 0;
    list.sort((a, b) => (a.type === 'dir') !== (b.type === 'dir') ? (a.type === 'dir' ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }
  return dirs;
}

export function listDirectory(index: DirectoryIndex, dir: string, limit: number, where = 'the file index'): SnapshotFiles {
  const d = normalizeDir(dir);
  const entries = index.get(d);
  if (!entries) throw new RpcError('NOT_FOUND', `There is no directory "${d}" in ${where}.`);
  return { dir: d, entries: entries.slice(0, limit), total: entries.length, truncated: entries.length > limit };
}

/** Entries of one file index the console holds at most (about 200 bytes each parsed), and the longest line. */
export const MAX_INDEX_ENTRIES = 1_000_000;
const MAX_INDEX_LINE = 64 * 1024;

/** Reads and parses one index object, streaming (the object is never held whole), capped. */
export async function readFileIndex(backend: RepositoryBackend, key: string, signal?: AbortSignal): Promise<{ index: DirectoryIndex; count: number }> {
  const lines: IndexLine[] = [];
  let rest = '';
  const take = (text: string) => {
    const parts = (rest + text).split('\n');
    rest = parts.pop() ?? '';
    // A hostile or corrupt index must not make the console buffer without bound.
    if (rest.length > MAX_INDEX_LINE) throw new RpcError('CORRUPTED', `${key} has a line longer than ${MAX_INDEX_LINE} characters: it is not a file index Hindsight wrote.`);
    for (const p of parts) {
      if (!p) continue;
      if (lines.length >= MAX_INDEX_ENTRIES) throw new RpcError('INVALID_INPUT', `${key} lists more than ${MAX_INDEX_ENTRIES.toLocaleString('en')} entries: too many to browse here (read it by hand: zstd -dc ${key} | jq -r .path).`);
      lines.push(JSON.parse(p) as IndexLine);
    }
  };
  const body = await backend.getObject(key, signal ? { signal } : {});
  const decoder = new TextDecoder();
  await pipeline(
    body,
    new ZstdFrameCheck({ trimTrailing: true }),
    createDecompressor({ kind: 'zstd' }),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        try {
          take(decoder.decode(chunk, { stream: true }));
          cb();
        } catch (e) {
          cb(e as Error);
        }
      },
      final(cb) {
        try {
          take(decoder.decode() + '\n');
          cb();
        } catch (e) {
          cb(e as Error);
        }
      },
    }),
    ...(signal ? [{ signal }] : []),
  );
  return { index: buildDirectoryIndex(lines), count: lines.length };
}

export class FileIndexCache {
  /** Weighed by index entries: at most FILE_INDEX_CACHE_ENTRIES of them (a bigger index is read each time). */
  private readonly lru = new LRUCache<string, Promise<DirectoryIndex>>({ max: FILE_INDEX_CACHE_INDEXES, maxSize: FILE_INDEX_CACHE_ENTRIES });
  /** Index objects read from repositories (tests: the second browse of a tree reads nothing). */
  reads = 0;

  /** The parsed index of a snapshot's source: NOT_FOUND, in words, when it has none. */
  async get(backend: RepositoryBackend, repositoryId: string, snapshotId: string, source: string, signal?: AbortSignal): Promise<DirectoryIndex> {
    let key: string;
    try {
      key = indexKey(snapshotId, source);
    } catch (e) {
      throw new RpcError('INVALID_INPUT', e instanceof Error ? e.message : String(e));
    }
    const cacheKey = `${repositoryId}\n${key}`;
    const hit = this.lru.get(cacheKey);
    if (hit) return hit;
    const loading = (async () => {
      if (!(await backend.stat(key, signal ? { signal } : {}))) {
        throw new RpcError(
          'NOT_FOUND',
          `Snapshot ${snapshotId} has no file index for ${source}: indexes are written for volume and directory sources of unencrypted backups only.`,
        );
      }
      this.reads++;
      const { index, count } = await readFileIndex(backend, key, signal);
      this.lru.set(cacheKey, Promise.resolve(index), { size: Math.max(1, count) });
      return index;
    })();
    // Concurrent requests for the same index share one read; a failed read is not cached.
    this.lru.set(cacheKey, loading, { size: 1 });
    loading.catch(() => this.lru.delete(cacheKey));
    return loading;
  }
}
