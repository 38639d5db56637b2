/**
 * Entry naming of every tar Hindsight stores (volume and directory sources) — part of the open
 * repository format (ARCHITECTURE §4):
 *
 *   the root directory of the volume is the entry "./"; everything else is "./<path relative to the
 *   volume root>" ("./a/", "./a/b.txt", "./résumé 2026.txt"); hard-link targets are named the same
 *   way ("./a/b.txt"); symbolic-link targets are data and kept exactly as they were ("/etc/passwd",
 *   "../x", dangling or not).
 *
 * That is what `tar -C <dir> -cf - .` writes, so `zstd -d < data.tar.zst | tar -x` in an empty
 * directory recreates the volume's content there (and `tar -x --same-owner`, as root, its owners).
 *
 * Docker's archive endpoint (GET /containers/{id}/archive?path=<dir>/.) already answers that way on
 * the engines we know (20.10 and later: entries "./", "./a", …), and then the stream passes through
 * byte for byte — only its framing is followed, to check that every entry is "./…" and that the
 * archive really ended. Engines that instead name entries after the directory ("src/", "src/a")
 * get them rewritten to "./…" (TarEntryRewriter: header blocks only, file data untouched).
 *
 * The other way, for the sinks ("./a" → "<dir>/a", so an archive can be extracted at "/" of a helper
 * container whose volume is mounted at /<dir>, or of the container whose directory /<dir> is
 * restored), is the tar guard's canonical rewrite (pipeline/tar-canonical.ts). Why not extract at
 * the mount point itself: the engine refuses a relative symlink whose target climbs above the
 * extraction directory ("invalid symlink … -> ../x"), yet volumes hold such links (they point at
 * something beside the volume in the application's container) and ARCHITECTURE §6 restores symlinks
 * as they are. Extracting at "/" leaves nothing to climb above; everything under /<dir> lands in
 * the volume, and the guard lets nothing land anywhere else.
 */
import { ArchiveLayoutError, TarEntryRewriter, type EntryInfo, type RewriterOptions } from './tar-rewriter.js';

export { ArchiveLayoutError } from './tar-rewriter.js';

/** The stored naming, from whatever the engine sent (see above). */
export class TarNameNormalizer extends TarEntryRewriter {
  /** Decided at the first entry: names are already "./…", or a directory name to replace by ".". */
  private mode: { kind: 'keep' } | { kind: 'strip'; root: string } | undefined;

  constructor(opts: RewriterOptions = {}) {
    super(opts);
  }

  protected rename(entry: EntryInfo): { name: string; hardLinkTarget?: string } | undefined {
    this.mode ??= this.decideMode(entry);
    const mode = this.mode;
    if (mode.kind === 'keep') {
      this.checkKept(entry.name);
      if (entry.hardLinkTarget !== undefined) this.checkKept(entry.hardLinkTarget);
      return undefined;
    }
    return {
      name: this.strip(entry.name, mode.root),
      ...(entry.hardLinkTarget !== undefined ? { hardLinkTarget: this.strip(entry.hardLinkTarget, mode.root) } : {}),
    };
  }

  private decideMode(entry: EntryInfo): NonNullable<TarNameNormalizer['mode']> {
    if (entry.name === '.' || entry.name === './') return { kind: 'keep' };
    const root = entry.name.replace(/\/$/, '');
    if (entry.typeflag === '5' && root !== '' && !root.includes('/') && root !== '..') return { kind: 'strip', root };
    throw new ArchiveLayoutError(`${this.what} does not start with its root directory (first entry: "${entry.name}")`);
  }

  private checkKept(name: string): void {
    if (name !== '.' && !name.startsWith('./')) throw new ArchiveLayoutError(`${this.what} has an entry outside its root: "${name}"`);
  }

  private strip(name: string, root: string): string {
    if (name === root || name === `${root}/`) return './';
    if (name.startsWith(`${root}/`)) return `./${name.slice(root.length + 1)}`;
    throw new ArchiveLayoutError(`${this.what} has an entry outside its root "${root}/": "${name}"`);
  }
}
