/**
 * Writing tar header blocks: POSIX ustar headers with pax extended headers for what does not fit.
 * The reading side is tar-header.ts (the one parser). Used by the canonical rewrite of a restore
 * (tar-canonical.ts) and by the backup-side entry-name normaliser (sources/tar-rewriter.ts).
 */
import { BLOCK, blocksFor, type HeaderBlock, type PaxRecord } from './tar-header.js';

const NAME = [0, 100] as const;
const MODE = [100, 8] as const;
const UID = [108, 8] as const;
const GID = [116, 8] as const;
const SIZE = [124, 12] as const;
const MTIME = [136, 12] as const;
const CHKSUM = [148, 8] as const;
const TYPEFLAG = 156;
const LINKNAME = [157, 100] as const;
const MAGIC = [257, 8] as const;
const UNAME = [265, 32] as const;
const GNAME = [297, 32] as const;
const PREFIX = [345, 155] as const;

type Field = readonly [number, number];

function fits(s: string, length: number): boolean {
  return Buffer.byteLength(s) <= length;
}

function putField(block: Buffer, [offset, length]: Field, value: string): void {
  block.fill(0, offset, offset + length);
  block.write(value, offset, length, 'utf8');
}

/** The largest value an octal field of `length` bytes holds (length − 1 digits and a NUL). */
function octalMax(length: number): number {
  return 8 ** (length - 1) - 1;
}

function putOctal(block: Buffer, [offset, length]: Field, value: number): void {
  block.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'latin1');
}

export function writeChecksum(block: Buffer): void {
  let sum = 8 * 0x20; // the checksum field itself counts as eight spaces
  for (let i = 0; i < BLOCK; i++) if (i < CHKSUM[0] || i >= CHKSUM[0] + CHKSUM[1]) sum += block[i]!;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', CHKSUM[0], 'latin1');
}

/** At most `length` bytes of UTF-8, never splitting a character. */
function cut(s: string, length: number): string {
  let out = s;
  while (Buffer.byteLength(out) > length) out = out.slice(0, -1);
  return out;
}

function splitUstar(name: string): { prefix: string; name: string } | undefined {
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (fits(prefix, PREFIX[1]) && fits(rest, NAME[1]) && rest !== '') return { prefix, name: rest };
  }
  return undefined;
}

/** Writes `name` into the name field (or a POSIX prefix/name split); false when it had to be cut short. */
function putName(block: Buffer, name: string, posixUstar: boolean): boolean {
  if (fits(name, NAME[1])) {
    putField(block, NAME, name);
    if (posixUstar) putField(block, PREFIX, '');
    return true;
  }
  const split = posixUstar ? splitUstar(name) : undefined;
  putField(block, NAME, split ? split.name : cut(name, NAME[1]));
  if (posixUstar) putField(block, PREFIX, split ? split.prefix : '');
  return split !== undefined;
}

/**
 * A copy of the header with a new name (and, for hard links, a new link name) in its own fields.
 * A value that does not fit is written cut short — the caller then carries the real one in a pax
 * record, which readers prefer.
 */
export function withNames(block: Buffer, name: string, linkname: string | undefined): { block: Buffer; nameFits: boolean; linkFits: boolean } {
  const out = Buffer.from(block);
  const posixUstar = out.toString('latin1', MAGIC[0], MAGIC[0] + 6) === 'ustar\0';
  const nameFits = putName(out, name, posixUstar);
  let linkFits = true;
  if (linkname !== undefined) {
    linkFits = fits(linkname, LINKNAME[1]);
    putField(out, LINKNAME, linkFits ? linkname : cut(linkname, LINKNAME[1]));
  }
  writeChecksum(out);
  return { block: out, nameFits, linkFits };
}

/** A header for a pax extended header or GNU long name whose data changed length. */
export function withSize(block: Buffer, size: number): Buffer {
  const out = Buffer.from(block);
  putField(out, SIZE, size.toString(8).padStart(11, '0'));
  writeChecksum(out);
  return out;
}

export function encodePax(records: PaxRecord[]): Buffer {
  return Buffer.concat(
    records.map(({ key, value }) => {
      const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
      // The length counts its own digits: grow until it is consistent.
      let length = body.length + 1;
      while (String(length).length + body.length !== length) length = String(length).length + body.length;
      return Buffer.concat([Buffer.from(String(length)), body]);
    }),
  );
}

/** The header of a pax extended header ('x') whose records are `size` bytes long. */
export function paxHeaderBlock(size: number): Buffer {
  return encodeHeader({ name: '././@PaxHeader', typeflag: 'x', size, mode: 0o644, uid: 0, gid: 0, mtime: 0, linkname: '', uname: '', gname: '' }).block;
}

/** A pax extended header ('x') and its padded records: the blocks to put before an entry's header. */
export function paxBlocks(records: PaxRecord[]): Buffer[] {
  if (records.length === 0) return [];
  const data = encodePax(records);
  return [paxHeaderBlock(data.length), Buffer.concat([data, Buffer.alloc(blocksFor(data.length) - data.length)])];
}

/** What a header says of an entry, as the parser reads it (tar-header.ts) and this writes it. */
export type EntryFields = Pick<HeaderBlock, 'name' | 'linkname' | 'typeflag' | 'mode' | 'uid' | 'gid' | 'size' | 'mtime' | 'uname' | 'gname'>;

/**
 * A fresh POSIX ustar header for the entry, and the pax records it needs for what its fields cannot
 * hold (a long name or link name, a large size, uid, gid or mtime). The header's own fields then
 * carry a shortened or zero value; readers (GNU tar, Go's archive/tar) take the pax record.
 */
export function encodeHeader(e: EntryFields): { block: Buffer; pax: PaxRecord[] } {
  const b = Buffer.alloc(BLOCK);
  const pax: PaxRecord[] = [];
  const record = (key: string, value: string) => pax.push({ key, value: Buffer.from(value) });
  if (!putName(b, e.name, true)) record('path', e.name);
  if (fits(e.linkname, LINKNAME[1])) putField(b, LINKNAME, e.linkname);
  else {
    putField(b, LINKNAME, cut(e.linkname, LINKNAME[1]));
    record('linkpath', e.linkname);
  }
  putOctal(b, MODE, e.mode & 0o7777);
  const numeric: Array<[Field, number, string]> = [
    [UID, e.uid, 'uid'],
    [GID, e.gid, 'gid'],
    [SIZE, e.size, 'size'],
    [MTIME, Math.max(0, Math.floor(e.mtime)), 'mtime'],
  ];
  for (const [field, value, key] of numeric) {
    if (value <= octalMax(field[1])) putOctal(b, field, value);
    else {
      putOctal(b, field, 0);
      record(key, String(value));
    }
  }
  b[TYPEFLAG] = e.typeflag.charCodeAt(0);
  b.write('ustar\x0000', MAGIC[0], 'latin1');
  putField(b, UNAME, fits(e.uname, UNAME[1] - 1) ? e.uname : '');
  putField(b, GNAME, fits(e.gname, GNAME[1] - 1) ? e.gname : '');
  writeChecksum(b);
  return { block: b, pax };
}
