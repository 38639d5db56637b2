/**
 * A level of an incremental chain may replace a symbolic link that an earlier level made by a
 * directory or a file (GNU tar records the new entry; extracting it over the link would write
 * through it, and GNU tar's deletions would purge the directory the link points at). The shared
 * entry policy refuses that, so such a chain could never be restored. Instead, before a level is
 * extracted, it is first read through a copy of the chain's policy (tar-policy.ts forNextLevel())
 * that notes those links: the restore removes them from the target by name, then forgets them, and
 * extracts the level for real through the chain's own policy. Nothing is written on the strength of
 * the dry pass alone — the real pass is guarded as always; the dry pass only decides which links to
 * remove, and a link is forgotten only once removed.
 */
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarGuard } from './tar-guard.js';
import type { EntryPolicy } from './tar-policy.js';

/**
 * The links, made by the chain's earlier levels, that `level` replaces or puts entries under, as
 * paths from the archive's root ("a/b"); each is the first link on its path. Reads the whole level
 * (its data discarded); fails as the guard fails for anything else it would refuse.
 */
export async function linksReplacedBy(level: Readable, chain: EntryPolicy): Promise<string[]> {
  const next = chain.forNextLevel();
  const guard = new TarGuard({ policy: 'reject', dumpdirs: true, entries: next });
  await pipeline(level, guard, new Writable({ write: (_chunk, _enc, cb) => cb() }));
  return [...next.replaced].filter((p) => chain.removableLink(p));
}
