/**
 * The tar guard: a pass-through stage that validates a tar stream on its way to the extractor
 * (ARCHITECTURE §6 step 5), counts what it holds, and can write the file index of a snapshot.
 *
 * The ORIGINAL bytes go through unchanged — nothing is re-packed, so sparse maps, xattrs, ACLs and
 * long names reach the extractor exactly as the source wrote them, and a restore is byte-identical
 * to the backup. To make "validated" mean something, the bytes of an entry's headers (pax/long-name
 * headers, the header block, sparse extension blocks) are held back until the entry has passed
 * the policy (tar-policy.ts); file data streams through without being buffered. So no header of a
 * refused entry ever reaches the extractor: the stream fails just before it, naming the entry.
 *
 * Framing follows GNU tar and Go's archive/tar, and whatever they could read differently is
 * refused as malformed (see tar-header.ts): links, directories and devices carrying data, a
 * regular file whose name ends in "/" carrying data, a pax global header that sets a path or size,
 * anything but zeros after the end-of-archive marker, an archive without that marker.
 *
 * policy 'report' (for backups) records problems in the summary instead of failing, so a backup of
 * a volume holding a device node still happens and says so; malformed streams fail either way.
 *
 * `rewrite` (for restores): instead of the original header bytes, each entry that passed is written
 * in its canonical form under a prefix (tar-canonical.ts) — one name, the very one the policy
 * checked, so the guard and the extractor cannot see two different archives. File data still
 * passes through untouched.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { MalformedArchiveError, UnsafeArchiveError } from './errors.js';
import { canonicalHeaders } from './tar-canonical.js';
import { childCount, parseDumpdir, renamesOf, type DumpdirRecord } from './tar-dumpdir.js';
import { TreeDigest } from './tree-digest.js';
import { BLOCK, blocksFor, decodeHeader, isZeroBlock, parsePaxRecords, paxNumber, sparseExtensionContinues, type HeaderBlock, type PaxRecord } from './tar-header.js';
import { EntryPolicy, type EntryKind, type PolicyOptions } from './tar-policy.js';
import type { FileIndexEntry, TarProblem, TarSummary } from './tar-types.js';

export type { FileIndexEntry, TarProblem, TarSummary };

export interface TarGuardOptions extends PolicyOptions {
  policy?: 'reject' | 'report';
  /** Produce `guard.index`, a stream of JSON lines (FileIndexEntry); it must be consumed concurrently. */
  index?: boolean;
  /** Largest pax or GNU long-name header accepted (default 1 MiB). */
  maxHeaderBytes?: number;
  highWaterMark?: number;
  /**
   * Restores: emit every entry in canonical form with its name under `prefix` ("v" → "v/a/b";
   * "" keeps names relative, "a/b"). Needs policy 'reject'.
   */
  rewrite?: { prefix: string };
  /**
   * Notes regular files with at least `minZeroBytes` of zeros (counted in 4 KiB windows of the data
   * as it passes) in `summary.holeCandidates`, at most `maxFiles` of them: the restore then digs
   * holes in them again (sources/holes.ts), as `restic restore --sparse` does.
   */
  holes?: { minZeroBytes: number; maxFiles: number };
  /**
   * GNU listed-incremental archives (tar-dumpdir.ts): the dumpdir of each directory is checked,
   * counted (`summary.listed`) and, with `rewrite`, passed on with its paths under the prefix, so
   * GNU tar applies the level's renames and deletions. Without it a dumpdir is dropped by the
   * rewrite, and an extractor only adds.
   */
  dumpdirs?: boolean;
  /** With `dumpdirs`: each directory's checked listing as it passes (backup/level-index.ts builds a level's file index from them). */
  onDumpdir?: (dir: string, records: DumpdirRecord[]) => void;
  /**
   * The entry policy to use: the levels of one incremental chain share one, so a symbolic link
   * made by an earlier level is known to every later one (a fresh policy per archive otherwise).
   */
  entries?: EntryPolicy;
}

const ZERO_WINDOW = Buffer.alloc(4096);

type Pax = { map: Map<string, string>; records: PaxRecord[] };

const KINDS: Record<string, EntryKind> = { '0': 'file', '\0': 'file', '7': 'file', S: 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };
const META = new Set(['x', 'g', 'L', 'K']);
/** Keys that would change an entry's name, target or framing: never accepted in a global header. */
const GLOBAL_FORBIDDEN = /^(path|linkpath|size|GNU\.sparse\..*)$/;

type Region = { kind: 'header' } | { kind: 'meta'; type: string; size: number; header: HeaderBlock } | { kind: 'sparse'; header: HeaderBlock } | { kind: 'data' } | { kind: 'end' };

export class TarGuard extends Transform {
  readonly index: Readable | undefined;
  private readonly policy: EntryPolicy;
  private readonly counts: TarSummary = { entries: 0, files: 0, directories: 0, symlinks: 0, hardlinks: 0, fifos: 0, devices: 0, fileBytes: 0, archiveBytes: 0, problems: [] };
  private region: Region = { kind: 'header' };
  /** Bytes still to complete the current region. */
  private remaining = BLOCK;
  private collected: Buffer[] = [];
  /** Header bytes of the entry being read, forwarded once it passes. */
  private held: Buffer[] = [];
  private pending: { pax?: Pax; longName?: string; longLink?: string } = {};
  /** Offset of the current region's start, for messages. */
  private regionStart = 0;
  private waitingForIndex: (() => void) | undefined;
  /** The regular file whose data is passing, for the hole count (undefined: not counting). */
  private counting: { path: string; zeros: number } | undefined;
  private indexComplete = false;
  /** GNU listed-incremental levels: the digest of the tree their listings name (tree-digest.ts). */
  private tree: TreeDigest | undefined;

  constructor(private readonly opts: TarGuardOptions = {}) {
    super({ highWaterMark: opts.highWaterMark });
    if (opts.rewrite && opts.policy === 'report') throw new Error('TarGuard: rewrite needs the reject policy');
    this.policy = opts.entries ?? new EntryPolicy(opts);
    if (opts.index) {
      this.index = new Readable({ read: () => this.releaseIndex() });
      // An index whose consumer went away must not hold the archive back forever.
      this.index.on('close', () => this.releaseIndex());
    }
  }

  get summary(): TarSummary {
    return { ...this.counts, problems: [...this.counts.problems], ...(this.counts.holeCandidates ? { holeCandidates: [...this.counts.holeCandidates] } : {}) };
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.consume(chunk);
    } catch (e) {
      cb(e as Error);
      return;
    }
    // The index has its own reader: when it lags, wait for it rather than buffer without bound.
    const index = this.index;
    if (index && !index.destroyed && index.readableLength >= index.readableHighWaterMark) this.waitingForIndex = () => cb();
    else cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.region.kind !== 'end') {
      const clean = this.region.kind === 'header' && this.remaining === BLOCK && this.held.length === 0;
      cb(new MalformedArchiveError(clean ? 'The tar stream ends without an end-of-archive marker: it is truncated.' : `The tar stream is truncated at byte ${this.counts.archiveBytes}.`));
      return;
    }
    this.indexComplete = true;
    this.index?.push(null);
    this.emit('summary', this.summary);
    cb();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    // A complete index is left for its reader to finish (the guard is destroyed as soon as it
    // ends). An incomplete one is closed without an error of its own: its consumer (a pipeline)
    // sees a premature close and aborts the upload; a mere 'data' listener cannot crash on it.
    if (this.index && !this.indexComplete && !this.index.destroyed) this.index.destroy();
    cb(err);
  }

  private releaseIndex(): void {
    const resume = this.waitingForIndex;
    this.waitingForIndex = undefined;
    resume?.();
  }

  private consume(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(this.remaining, chunk.length - off);
      const slice = chunk.subarray(off, off + n);
      off += n;
      this.counts.archiveBytes += n;
      this.remaining -= n;
      const region = this.region;
      if (region.kind === 'data') {
        if (this.counting) this.countZeros(slice);
        this.push(slice);
        if (this.remaining === 0) {
          this.endFile();
          this.expectHeader();
        }
        continue;
      }
      if (region.kind === 'end') {
        if (!isZeroBlock(slice)) throw new MalformedArchiveError(`The tar stream has data after its end-of-archive marker (byte ${this.counts.archiveBytes - n}).`);
        this.push(slice);
        this.remaining = Infinity;
        continue;
      }
      this.held.push(slice);
      this.collected.push(slice);
      if (this.remaining > 0) continue;
      const bytes = this.collected.length === 1 ? this.collected[0]! : Buffer.concat(this.collected);
      this.collected = [];
      if (region.kind === 'header') this.onHeader(bytes);
      else if (region.kind === 'meta') this.onMeta(region, bytes);
      else this.onSparseBlock(region.header, bytes);
    }
  }

  private expectHeader(): void {
    this.region = { kind: 'header' };
    this.remaining = BLOCK;
    this.regionStart = this.counts.archiveBytes;
  }

  private onHeader(block: Buffer): void {
    if (isZeroBlock(block)) {
      const { pax, longName, longLink } = this.pending;
      if (pax || longName !== undefined || longLink !== undefined) throw new MalformedArchiveError(`The tar stream ends right after an extended header (byte ${this.regionStart}).`);
      if (this.opts.rewrite) this.held = []; // a trailing global header: dropped like the others
      this.flushHeld();
      this.region = { kind: 'end' };
      this.remaining = Infinity;
      return;
    }
    const header = decodeHeader(block, this.regionStart);
    if (META.has(header.typeflag)) {
      const max = this.opts.maxHeaderBytes ?? 1 << 20;
      if (header.size > max) throw new MalformedArchiveError(`A tar extended header at byte ${this.regionStart} is larger than ${max} bytes.`);
      this.region = { kind: 'meta', type: header.typeflag, size: header.size, header };
      this.remaining = blocksFor(header.size);
      this.regionStart = this.counts.archiveBytes;
      if (this.remaining === 0) this.onMeta(this.region, Buffer.alloc(0));
      return;
    }
    if (header.sparseExtended) {
      this.region = { kind: 'sparse', header };
      this.remaining = BLOCK;
      return;
    }
    this.onEntry(header);
  }

  private onMeta(region: Extract<Region, { kind: 'meta' }>, padded: Buffer): void {
    const data = padded.subarray(0, region.size);
    const at = this.regionStart;
    const once = <K extends keyof TarGuard['pending']>(key: K, value: TarGuard['pending'][K]) => {
      if (this.pending[key] !== undefined) throw new MalformedArchiveError(`The tar stream has two extended headers of one kind for one entry (byte ${at}).`);
      this.pending[key] = value;
    };
    if (region.type === 'x') {
      const records = parsePaxRecords(data, at);
      once('pax', { records, map: new Map(records.map((r) => [r.key, r.value.toString('utf8')])) });
    } else if (region.type === 'L') once('longName', longString(data));
    else if (region.type === 'K') once('longLink', longString(data));
    else {
      const keys = parsePaxRecords(data, at)
        .map((r) => r.key)
        .filter((k) => GLOBAL_FORBIDDEN.test(k));
      if (keys.length) this.problem('(pax global header)', `sets ${keys.join(', ')} for every entry, which extractors apply differently`);
    }
    this.expectHeader();
  }

  private onSparseBlock(header: HeaderBlock, block: Buffer): void {
    if (sparseExtensionContinues(block)) {
      this.remaining = BLOCK;
      return;
    }
    this.onEntry(header);
  }

  private onEntry(header: HeaderBlock): void {
    const { pax: paxHeader, longName, longLink } = this.pending;
    this.pending = {};
    const pax = paxHeader?.map;
    const sparseName = pax?.get('GNU.sparse.name');
    const paxPath = pax?.get('path');
    const name = sparseName ?? paxPath ?? longName ?? header.name;
    const otherNames = [header.name, longName, paxPath, sparseName].filter((n): n is string => n !== undefined && n !== name);
    const linkname = pax?.get('linkpath') ?? longLink ?? header.linkname;
    const paxSize = pax?.get('size');
    const size = paxSize !== undefined ? paxNumber(paxSize, 'size') : header.size;
    // 'S' is GNU's sparse type; in a ustar header its sparse map would overlap the name prefix.
    let kind: EntryKind | undefined = header.typeflag === 'S' && header.format !== 'gnu' ? undefined : KINDS[header.typeflag];
    if (kind === 'file' && name.endsWith('/')) {
      // Old archives mark directories by a trailing slash; with data it would be ambiguous.
      if (size === 0) kind = 'dir';
      else this.problem(name, 'is a regular file whose name ends with "/" and carries data (ambiguous)');
    }
    if (kind === undefined) this.problem(name, `has the unsupported tar entry type "${printable(header.typeflag)}"`);
    else if (kind !== 'file' && size !== 0) this.problem(name, `is a ${kind} entry that carries ${size} bytes of data (ambiguous)`);

    if (kind !== undefined) {
      const entry = { kind, name, otherNames, linkname };
      const problem = this.policy.check(entry);
      if (problem) this.problem(name, problem);
      this.policy.record(entry);
      const dumpdir = kind === 'dir' && this.opts.dumpdirs ? this.onDumpdir(name, paxHeader?.records) : undefined;
      this.count(kind, header, pax, size, name, linkname);
      if (this.opts.rewrite) {
        // The original header bytes are dropped; the canonical ones say the same with one name.
        this.held = canonicalHeaders(
          { kind, path: EntryPolicy.pathOf(name), linkname: kind === 'hardlink' ? EntryPolicy.pathOf(linkname) : linkname, size, header, pax: paxHeader?.records ?? [], ...(dumpdir ? { dumpdir } : {}) },
          this.opts.rewrite.prefix,
        );
      }
    }
    this.flushHeld();
    if (size > 0) {
      this.region = { kind: 'data' };
      this.remaining = blocksFor(size);
      // Old-GNU sparse entries carry their holes already; only plain files are counted.
      const holes = this.opts.holes;
      if (holes && kind === 'file' && header.typeflag !== 'S' && size >= holes.minZeroBytes && !pax?.has('GNU.sparse.major')) this.counting = { path: EntryPolicy.pathOf(name), zeros: 0 };
    } else this.expectHeader();
  }

  /**
   * A directory's GNU dumpdir: checked, its renames checked and remembered by the policy (GNU tar
   * performs them when it extracts this entry), its names counted. Returns the records to pass on.
   */
  private onDumpdir(name: string, records: PaxRecord[] | undefined): DumpdirRecord[] | undefined {
    const value = records?.findLast((r) => r.key === 'GNU.dumpdir')?.value;
    if (value === undefined) return undefined;
    const parsed = parseDumpdir(value);
    if ('problem' in parsed) {
      this.problem(name, parsed.problem);
      return undefined;
    }
    for (const { from, to } of renamesOf(parsed.records)) {
      const problem = this.policy.checkRename(from, to);
      if (problem) this.problem(name, problem);
      else this.policy.renamed(from, to);
    }
    this.counts.listed = (this.counts.listed ?? 1) + childCount(parsed.records);
    const dir = EntryPolicy.pathOf(name);
    const tree = (this.tree ??= new TreeDigest());
    if (dir === '') tree.add('', true);
    for (const r of parsed.records) if ('name' in r) tree.add(dir === '' ? r.name : `${dir}/${r.name}`, r.code === 'D');
    this.counts.treeDigest = tree.hex;
    this.opts.onDumpdir?.(dir, parsed.records);
    return parsed.records;
  }

  private countZeros(slice: Buffer): void {
    const c = this.counting!;
    for (let o = 0; o + ZERO_WINDOW.length <= slice.length; o += ZERO_WINDOW.length) {
      if (slice.subarray(o, o + ZERO_WINDOW.length).equals(ZERO_WINDOW)) c.zeros += ZERO_WINDOW.length;
    }
  }

  private endFile(): void {
    const c = this.counting;
    this.counting = undefined;
    const holes = this.opts.holes;
    if (!c || !holes || c.zeros < holes.minZeroBytes) return;
    const list = (this.counts.holeCandidates ??= []);
    if (list.length < holes.maxFiles) list.push(c.path);
    else this.counts.holeCandidatesTruncated = true;
  }

  private count(kind: EntryKind, header: HeaderBlock, pax: Map<string, string> | undefined, size: number, name: string, linkname: string): void {
    const c = this.counts;
    c.entries++;
    let realSize = 0;
    if (kind === 'file') {
      const sparse = pax?.get('GNU.sparse.realsize') ?? pax?.get('GNU.sparse.size');
      realSize = sparse !== undefined ? paxNumber(sparse, 'GNU.sparse.realsize') : (header.sparseRealSize ?? size);
      c.files++;
      c.fileBytes += realSize;
    } else if (kind === 'dir') c.directories++;
    else if (kind === 'symlink') c.symlinks++;
    else if (kind === 'hardlink') c.hardlinks++;
    else if (kind === 'fifo') c.fifos++;
    else c.devices++;
    if (!this.index || this.index.destroyed) return;
    const line: FileIndexEntry = {
      path: EntryPolicy.pathOf(name) || '.',
      type: kind,
      size: realSize,
      mode: header.mode & 0o7777,
      mtime: pax?.has('mtime') ? paxNumber(pax.get('mtime')!, 'mtime', true) : header.mtime,
      uid: pax?.has('uid') ? paxNumber(pax.get('uid')!, 'uid') : header.uid,
      gid: pax?.has('gid') ? paxNumber(pax.get('gid')!, 'gid') : header.gid,
      ...(kind === 'symlink' || kind === 'hardlink' ? { linkname } : {}),
    };
    this.index.push(JSON.stringify(line) + '\n');
  }

  private problem(entry: string, problem: string): void {
    if (this.opts.policy === 'report') this.counts.problems.push({ entry, problem });
    else throw new UnsafeArchiveError(entry, problem);
  }

  private flushHeld(): void {
    for (const b of this.held) this.push(b);
    this.held = [];
  }
}

function longString(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul < 0 ? data.length : nul);
}

function printable(flag: string): string {
  return /^[\x21-\x7e]$/.test(flag) ? flag : `\\x${flag.charCodeAt(0).toString(16).padStart(2, '0')}`;
}
