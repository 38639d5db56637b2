/**
 * The file index of an incremental level (levels.ts): the whole tree at that level, as a full
 * backup's index is — so a level's files can be browsed like any snapshot's. A level's archive holds
 * only what changed, but every directory's listing (pipeline/tar-dumpdir.ts) names everything the
 * tree holds: an entry the level carries comes from its own headers, the rest ("unchanged", N) from
 * the index of the level it builds on, moved by the level's directory renames. Anything that does
 * not add up — a name neither has, a rename through GNU tar's temporary directory, a base index
 * larger than MAX_ENTRIES — and the level simply gets no index (said in the log), as an encrypted
 * snapshot has none.
 *
 * Memory: the base index's lines and the tree's names, about 200 bytes per entry, up to MAX_ENTRIES.
 */
import { Readable } from 'node:stream';
import { createDecompressor, renamesOf, type DumpdirRecord } from '../pipeline/index.js';
import type { RepositoryBackend } from '../repository/index.js';

/** Beyond this many entries in the base's index, a level gets no index (memory, see above). */
export const MAX_ENTRIES = 2_000_000;

const pathOfLine = (line: string): string => (JSON.parse(line) as { path: string }).path;
const join = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);

/** What a level's guard saw: its own index lines and every directory's listing, in archive order. */
export class LevelIndex {
  private readonly own = new Map<string, string>();
  private readonly listings: Array<{ dir: string; records: DumpdirRecord[] }> = [];

  /** Collects the guard's index (TarGuard `index`), one JSON line per entry. */
  async collect(index: Readable): Promise<void> {
    let rest = '';
    for await (const chunk of index as AsyncIterable<Buffer | string>) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line) this.own.set(pathOfLine(line), line);
    }
    if (rest) this.own.set(pathOfLine(rest), rest);
  }

  /** TarGuard `onDumpdir`. */
  onDumpdir = (dir: string, records: DumpdirRecord[]): void => {
    this.listings.push({ dir, records });
  };

  /** The tree's index lines, or why there is none. `base`: the base level's index (JSON lines, decompressed). */
  async merge(base: Readable): Promise<{ lines: string[] } | { problem: string }> {
    const previous = new Map<string, string>();
    let rest = '';
    for await (const chunk of base as AsyncIterable<Buffer>) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line) previous.set(pathOfLine(line), line);
      if (previous.size > MAX_ENTRIES) return { problem: `the index it builds on holds more than ${MAX_ENTRIES} entries` };
    }
    if (rest) previous.set(pathOfLine(rest), rest);
    // The level's renames move what the base had (GNU tar applies them before its deletions).
    for (const { records } of this.listings) {
      for (const { from, to } of renamesOf(records)) {
        if (from === '' || to === '') return { problem: 'it renames directories through a temporary directory' };
        for (const [path, line] of [...previous]) {
          if (path !== from && !path.startsWith(`${from}/`)) continue;
          previous.delete(path);
          const moved = `${to}${path.slice(from.length)}`;
          previous.set(moved, line.replace(JSON.stringify(path), JSON.stringify(moved)));
        }
      }
    }
    const lineOf = (path: string) => this.own.get(path) ?? previous.get(path);
    const root = lineOf('.');
    if (!root) return { problem: 'its root directory is in neither the level nor the index it builds on' };
    const lines = [root];
    for (const { dir, records } of this.listings) {
      for (const r of records) {
        if (!('name' in r)) continue;
        const path = join(dir, r.name);
        const line = lineOf(path);
        if (!line) return { problem: `"${path}" is in neither the level nor the index it builds on` };
        lines.push(line);
      }
    }
    return { lines };
  }
}

/** A level's index from the base's stored one (zstd JSON lines): the merged lines, or why none. */
export async function mergeLevelIndex(backend: RepositoryBackend, baseIndexKey: string, level: LevelIndex, signal?: AbortSignal): Promise<{ lines: string[] } | { problem: string }> {
  const stored = await backend.getObject(baseIndexKey, signal ? { signal } : {});
  const plain = stored.pipe(createDecompressor({ kind: 'zstd' }));
  stored.once('error', (e) => plain.destroy(e));
  return level.merge(plain);
}

/** Index lines as the stream an index object is written from. */
export function indexStream(lines: string[]): Readable {
  return Readable.from((function* () {
    for (const line of lines) yield `${line}\n`;
  })());
}
