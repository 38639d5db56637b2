/**
 * What may land in a volume (ARCHITECTURE §6 step 5): an entry may never be written outside the
 * extraction directory. Refused: absolute names, ".." components, any path through a symbolic link
 * that the archive itself created, hard links whose target is refused by the same rules, and device
 * nodes. Symbolic links themselves are data and pass whatever they point at (absolute, dangling):
 * creating a symlink writes nothing through it; only later entries could, and those are refused.
 *
 * A hard link takes the kind of its target: a hard link to a symbolic link IS that symbolic link
 * (link(2) links the symlink itself), so it joins the symlinks for every later check.
 *
 * FIFOs are allowed by default: making one needs no privilege and creates nothing but a name in the
 * volume (applications keep them in their data directories). `fifos: 'reject'` refuses them too.
 *
 * Levels of an incremental chain share one policy (a symbolic link an earlier level made stays
 * suspect). A later level may replace such a link by a directory or a file — GNU tar records that
 * as the new entry, and extracting it over the link would go through it. So a restore first passes
 * the level through a copy of the policy made by `forNextLevel()`, which notes in `replaced` each
 * earlier level's link that an entry replaces or lies under instead of refusing it; the restore
 * removes those links from the target, and `forget()` then lets the real pass extract the entries.
 * Only what was removed is forgotten; a link this level made, or moved by a rename, stays refused.
 *
 * Memory: one entry per symbolic link (and hard link to one), nothing per ordinary member — a
 * volume of a million files costs nothing here. A hard link to a name the archive never created is
 * not refused here: a restore extracts into a cleared target under its own prefix, where such a
 * name does not exist, so the extractor fails on it (and the restore is rolled back).
 */

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'char' | 'block';

export interface PolicyEntry {
  kind: EntryKind;
  /** The name the extractor uses (pax path / GNU sparse name / long name / header name). */
  name: string;
  /** Every other name the headers carry for this entry: each must be safe as well. */
  otherNames: string[];
  linkname: string;
}

export interface PolicyOptions {
  fifos?: 'allow' | 'reject';
}

type Parsed = { parts: string[] } | { problem: string };

/** "./a//b/" → ["a", "b"]; refuses what could leave the extraction directory. */
export function splitEntryName(name: string): Parsed {
  if (name.includes('\0')) return { problem: 'has a NUL byte in its name' };
  if (name.startsWith('/')) return { problem: 'has an absolute name' };
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { problem: 'has a ".." component in its name' };
  return { parts };
}

export class EntryPolicy {
  /** Paths created as symbolic links (or hard links to them) by earlier entries. */
  private readonly symlinks = new Set<string>();
  /** In a copy made by forNextLevel(): the links the chain's earlier levels made, as they lie before this level. */
  private earlier: Set<string> | undefined;
  /** …of those, the ones an entry of this level replaces or lies under (see the header). */
  readonly replaced = new Set<string>();

  constructor(private readonly opts: PolicyOptions = {}) {}

  /** True once any entry made a symbolic link: only then can a later level replace one. */
  get madeSymlinks(): boolean {
    return this.symlinks.size > 0;
  }

  /** A copy for the dry pass over the chain's next level (see the header). */
  forNextLevel(): EntryPolicy {
    const next = new EntryPolicy(this.opts);
    for (const s of this.symlinks) next.symlinks.add(s);
    next.earlier = new Set(this.symlinks);
    return next;
  }

  /**
   * The links at `paths` were removed from the target (no symbolic link lies at any of them, nor
   * above them): entries may now be made there. Paths with a remembered link above them are refused
   * (the caller removed nothing there either, see removableLink()).
   */
  forget(paths: Iterable<string>): void {
    for (const p of paths) if (this.removableLink(p)) this.symlinks.delete(p);
  }

  /** A path whose link can be removed by name: a link the policy knows, with none above it (a removal there follows no link). */
  removableLink(path: string): boolean {
    const parsed = splitEntryName(path);
    return 'parts' in parsed && parsed.parts.join('/') === path && path !== '' && this.symlinks.has(path) && !this.symlinkOnPath(parsed.parts, false, false);
  }

  /** The entry's normalised path ("" for the root directory). Throws nothing; see check(). */
  static pathOf(name: string): string {
    const parsed = splitEntryName(name);
    return 'parts' in parsed ? parsed.parts.join('/') : name;
  }

  /** Why the entry must be refused, or undefined when it is safe. */
  check(entry: PolicyEntry): string | undefined {
    if (entry.kind === 'char') return 'is a character device, and device nodes are never restored';
    if (entry.kind === 'block') return 'is a block device, and device nodes are never restored';
    if (entry.kind === 'fifo' && this.opts.fifos === 'reject') return 'is a FIFO, and FIFOs are refused by this restore';
    for (const name of [entry.name, ...entry.otherNames]) {
      const parsed = splitEntryName(name);
      if ('problem' in parsed) return name === entry.name ? parsed.problem : `${parsed.problem} (in its header: "${name}")`;
      if (parsed.parts.length === 0 && entry.kind !== 'dir') return 'has an empty name';
      const through = this.symlinkOnPath(parsed.parts, entry.kind !== 'symlink');
      if (through) return through;
    }
    if (entry.kind === 'hardlink') return this.checkHardLink(entry.linkname);
    return undefined;
  }

  /** Remembers a checked entry, for the entries after it. */
  record(entry: PolicyEntry): void {
    const path = EntryPolicy.pathOf(entry.name);
    const isSymlink = entry.kind === 'symlink' || (entry.kind === 'hardlink' && this.symlinks.has(EntryPolicy.pathOf(entry.linkname)));
    // Once a symlink, always suspect: an entry that replaces one is refused by check() anyway.
    if (!isSymlink) return;
    this.symlinks.add(path);
    // A link replaced by a link of this level is this level's: nothing may pass through it.
    this.earlier?.delete(path);
    // A header that names the link twice: whichever name an extractor picks is a symlink now.
    for (const other of entry.otherNames) this.symlinks.add(EntryPolicy.pathOf(other));
  }

  /**
   * A rename a GNU dumpdir asks for (tar-dumpdir.ts), checked and remembered: neither path may pass
   * through a symbolic link; whatever symbolic links lay at or under `from` lie under `to` too
   * afterwards (both are kept: once a symlink, always suspect). "" is GNU tar's temporary directory,
   * used to break rename cycles: then nothing can be followed by name, so such renames are refused
   * once the archive (or an earlier level of its chain) made any symbolic link.
   */
  checkRename(from: string, to: string): string | undefined {
    if (from === '' || to === '') {
      return this.symlinks.size ? 'renames directories in a cycle (through a temporary directory) where symbolic links were made; restore it by hand with GNU tar' : undefined;
    }
    for (const [path, self] of [[from, false], [to, true]] as const) {
      const through = this.symlinkOnPath(path.split('/'), self);
      if (through) return `renames "${from}" to "${to}", but "${path}" ${through}`;
    }
    return undefined;
  }

  renamed(from: string, to: string): void {
    if (from === '' || to === '') return;
    for (const s of [...this.symlinks]) {
      if (s === from) this.symlinks.add(to);
      else if (s.startsWith(`${from}/`)) this.symlinks.add(`${to}${s.slice(from.length)}`);
    }
  }

  private symlinkOnPath(parts: string[], includingSelf: boolean, noteReplaced = true): string | undefined {
    const last = includingSelf ? parts.length : parts.length - 1;
    let path = '';
    for (let i = 0; i < last; i++) {
      path = i === 0 ? parts[0]! : `${path}/${parts[i]}`;
      if (this.symlinks.has(path)) {
        // A dry pass: an earlier level's link, the first on the path (none above it), which the
        // restore will remove before this level is extracted — as if gone already.
        if (noteReplaced && this.earlier?.has(path)) {
          this.earlier.delete(path);
          this.symlinks.delete(path);
          this.replaced.add(path);
          continue;
        }
        return i === parts.length - 1
          ? `would replace the symbolic link "${path}" created by an earlier entry, and could be written through it`
          : `lies under "${path}", a symbolic link created by an earlier entry, so it could be written outside the volume`;
      }
    }
    return undefined;
  }

  private checkHardLink(linkname: string): string | undefined {
    if (linkname === '') return 'is a hard link without a target';
    const parsed = splitEntryName(linkname);
    if ('problem' in parsed) return `is a hard link to "${linkname}", which ${parsed.problem}`;
    const target = parsed.parts.join('/');
    const through = this.symlinkOnPath(parsed.parts, false);
    if (through) return `is a hard link to "${linkname}", which ${through}`;
    if (target === '') return `is a hard link to the archive's root directory`;
    return undefined;
  }
}
