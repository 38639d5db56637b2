/**
 * The canonical form of an entry, as a restore hands it to the extractor (the engine's Go
 * archive/tar, or GNU tar): ONE name, in a fresh ustar header and, when it does not fit, in a pax
 * `path` record — never also in a GNU long name, a ustar prefix the reader might ignore, or a
 * `GNU.sparse.name` that one extractor honours and the other does not. The guard checked exactly
 * this name; the extractor can read no other. The same holds for a hard link's target.
 *
 * Everything not understood is dropped rather than recognised trick by trick: GNU long-name
 * entries ('L', 'K') become pax records, global pax headers ('g') are dropped, and of the pax
 * records only those below are kept. Old-GNU sparse entries ('S') and the GNU sparse pax formats
 * 0.0/0.1 are refused (their maps live in headers this rewrite does not carry); sparse format 1.0,
 * whose map is in the entry's data, is kept with its name set to the canonical one.
 */
import { UnsafeArchiveError } from './errors.js';
import { encodeDumpdir, type DumpdirRecord } from './tar-dumpdir.js';
import { encodeHeader, paxBlocks } from './tar-encode.js';
import type { HeaderBlock, PaxRecord } from './tar-header.js';
import type { EntryKind } from './tar-policy.js';

/** pax records carried over (times, owners by name, POSIX ACLs, user xattrs). */
const KEPT = /^(mtime|atime|ctime|uid|gid|uname|gname|SCHILY\.xattr\.user\..+|SCHILY\.xattr\.system\.posix_acl_(access|default))$/;
const SPARSE_1_0 = new Set(['GNU.sparse.major', 'GNU.sparse.minor', 'GNU.sparse.realsize']);

const TYPEFLAG: Record<EntryKind, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

export interface CanonicalEntry {
  kind: EntryKind;
  /** Normalised path relative to the archive root ("" for the root itself). */
  path: string;
  /** Hard links: the target's normalised path. Symbolic links: the target as it is (data). */
  linkname: string;
  size: number;
  header: HeaderBlock;
  pax: PaxRecord[];
  /** A directory's checked GNU dumpdir (tar-dumpdir.ts), written again with its paths under the prefix. */
  dumpdir?: DumpdirRecord[];
}

/** "<prefix>/<path>", a directory with a trailing "/"; the root is "<prefix>/" (or "./"). */
export function prefixed(prefix: string, path: string, dir: boolean): string {
  const joined = prefix === '' ? path : path === '' ? prefix : `${prefix}/${path}`;
  if (joined === '') return './';
  return dir ? `${joined}/` : joined;
}

/** The blocks to write for the entry's headers (its data follows unchanged). */
export function canonicalHeaders(entry: CanonicalEntry, prefix: string): Buffer[] {
  const { header, pax } = entry;
  if (header.typeflag === 'S') refuse(entry, 'is an old-GNU sparse file, which this version cannot restore (extract it by hand with GNU tar)');
  const value = (key: string) => pax.findLast((r) => r.key === key)?.value.toString('utf8');
  const sparse = pax.some((r) => r.key.startsWith('GNU.sparse.'));
  if (sparse && !(value('GNU.sparse.major') === '1' && value('GNU.sparse.minor') === '0')) {
    refuse(entry, 'is a GNU sparse file in the 0.x pax format, which this version cannot restore (extract it by hand with GNU tar)');
  }
  const name = prefixed(prefix, entry.path, entry.kind === 'dir');
  const linkname = entry.kind === 'hardlink' ? prefixed(prefix, entry.linkname, false) : entry.kind === 'symlink' ? entry.linkname : '';
  const numberOr = (key: string, fallback: number) => {
    const v = value(key);
    return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : fallback;
  };
  const encoded = encodeHeader({
    name,
    linkname,
    typeflag: TYPEFLAG[entry.kind],
    mode: header.mode,
    uid: numberOr('uid', header.uid),
    gid: numberOr('gid', header.gid),
    size: entry.size,
    mtime: header.mtime,
    uname: header.uname,
    gname: header.gname,
  });
  const kept = new Map<string, PaxRecord>();
  for (const r of pax) if (KEPT.test(r.key) || (sparse && SPARSE_1_0.has(r.key))) kept.set(r.key, r);
  // What the header could not hold (name, link, size…) wins over anything carried over.
  for (const r of encoded.pax) kept.set(r.key, r);
  if (sparse) kept.set('GNU.sparse.name', { key: 'GNU.sparse.name', value: Buffer.from(name) });
  if (entry.dumpdir) kept.set('GNU.dumpdir', { key: 'GNU.dumpdir', value: encodeDumpdir(entry.dumpdir, prefix) });
  return [...paxBlocks([...kept.values()]), encoded.block];
}

function refuse(entry: CanonicalEntry, problem: string): never {
  throw new UnsafeArchiveError(entry.path || '.', problem);
}
