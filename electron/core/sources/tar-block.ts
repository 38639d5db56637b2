/**
 * Just enough of the tar header format (POSIX ustar + pax, GNU long names) to find and rewrite the
 * names of entries in a stream, without re-packing anything else. Pure functions over 512-byte
 * blocks; the pipeline's tar guard has its own, stricter parser — this one only serves the entry
 * renamers (tar-rewriter.ts, archive-names.ts).
 */

export const BLOCK = 512;

const NAME = [0, 100] as const;
const SIZE = [124, 12] as const;
const CHKSUM = [148, 8] as const;
const TYPEFLAG = 156;
const LINKNAME = [157, 100] as const;
const MAGIC = [257, 6] as const;
const PREFIX = [345, 155] as const;

export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function cString(block: Buffer, [offset, length]: readonly [number, number]): string {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

/** Octal, or GNU base-256 (high bit of the first byte set) for sizes of 8 GiB and more. */
function numeric(block: Buffer, [offset, length]: readonly [number, number]): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

export function checksumOk(block: Buffer): boolean {
  return numeric(block, CHKSUM) === computeChecksum(block);
}

function computeChecksum(block: Buffer): number {
  let sum = 8 * 0x20; // the checksum field itself counts as eight spaces
  for (let i = 0; i < BLOCK; i++) if (i < CHKSUM[0] || i >= CHKSUM[0] + CHKSUM[1]) sum += block[i]!;
  return sum;
}

function writeChecksum(block: Buffer): void {
  block.write(computeChecksum(block).toString(8).padStart(6, '0') + '\0 ', CHKSUM[0], 'latin1');
}

export interface Header {
  typeflag: string;
  size: number;
  /** The ustar name (prefix + "/" + name when a POSIX ustar prefix is present). */
  name: string;
  linkname: string;
  /** POSIX ustar ("ustar\0"): the prefix field exists. GNU ("ustar  \0") uses those bytes otherwise. */
  posixUstar: boolean;
}

export function decodeHeader(block: Buffer): Header {
  const posixUstar = block.toString('latin1', MAGIC[0], MAGIC[0] + MAGIC[1]) === 'ustar\0';
  const name = cString(block, NAME);
  const prefix = posixUstar ? cString(block, PREFIX) : '';
  return {
    typeflag: String.fromCharCode(block[TYPEFLAG] || 0x30),
    size: numeric(block, SIZE),
    name: prefix ? `${prefix}/${name}` : name,
    linkname: cString(block, LINKNAME),
    posixUstar,
  };
}

/** Types whose entries never carry data blocks, whatever their size field says. */
export const HEADER_ONLY_TYPES = new Set(['1', '2', '3', '4', '5', '6']);

/** Old GNU sparse entries ('S') may be followed by extension blocks; byte 482 says so. */
export function hasSparseExtension(block: Buffer, isExtensionBlock: boolean): boolean {
  return block[isExtensionBlock ? 504 : 482] !== 0;
}

function fits(s: string, length: number): boolean {
  return Buffer.byteLength(s) <= length;
}

function putField(block: Buffer, [offset, length]: readonly [number, number], value: string): void {
  block.fill(0, offset, offset + length);
  block.write(value, offset, length, 'utf8');
}

/**
 * A copy of the header with a new name (and, for hard links, a new link name) in its own fields:
 * the name field, or a POSIX ustar prefix/name split at a '/'. A value that does not fit is
 * written cut short — the caller then carries the real one in a pax record, which readers prefer.
 */
export function withNames(block: Buffer, name: string, linkname: string | undefined): { block: Buffer; nameFits: boolean; linkFits: boolean } {
  const out = Buffer.from(block);
  const posixUstar = out.toString('latin1', MAGIC[0], MAGIC[0] + MAGIC[1]) === 'ustar\0';
  let nameFits = true;
  if (fits(name, NAME[1])) {
    putField(out, NAME, name);
    if (posixUstar) putField(out, PREFIX, '');
  } else {
    const split = posixUstar ? splitUstar(name) : undefined;
    nameFits = split !== undefined;
    putField(out, NAME, split ? split.name : cut(name, NAME[1]));
    if (posixUstar) putField(out, PREFIX, split ? split.prefix : '');
  }
  let linkFits = true;
  if (linkname !== undefined) {
    linkFits = fits(linkname, LINKNAME[1]);
    putField(out, LINKNAME, linkFits ? linkname : cut(linkname, LINKNAME[1]));
  }
  writeChecksum(out);
  return { block: out, nameFits, linkFits };
}

/** At most `length` bytes of UTF-8, never splitting a character. */
function cut(s: string, length: number): string {
  let out = s;
  while (Buffer.byteLength(out) > length) out = out.slice(0, -1);
  return out;
}

/** The header of a pax extended header ('x') whose records are `size` bytes long. */
export function paxHeaderBlock(size: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  putField(b, NAME, '././@PaxHeader');
  b.write('0000644\0', 100, 'latin1'); // mode
  b.write('0000000\0', 108, 'latin1'); // uid
  b.write('0000000\0', 116, 'latin1'); // gid
  putField(b, SIZE, size.toString(8).padStart(11, '0'));
  b.write('00000000000\0', 136, 'latin1'); // mtime
  b[TYPEFLAG] = 0x78; // 'x'
  b.write('ustar\0' + '00', MAGIC[0], 'latin1');
  writeChecksum(b);
  return b;
}

function splitUstar(name: string): { prefix: string; name: string } | undefined {
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (fits(prefix, PREFIX[1]) && fits(rest, NAME[1]) && rest !== '') return { prefix, name: rest };
  }
  return undefined;
}

/** A header for a pax extended header or GNU long name whose data changed length. */
export function withSize(block: Buffer, size: number): Buffer {
  const out = Buffer.from(block);
  putField(out, SIZE, size.toString(8).padStart(11, '0'));
  writeChecksum(out);
  return out;
}

export interface PaxRecord {
  key: string;
  value: Buffer;
}

/** "<len> <key>=<value>\n" records; values are bytes (they need not be UTF-8). */
export function parsePax(data: Buffer): PaxRecord[] {
  const records: PaxRecord[] = [];
  let i = 0;
  while (i < data.length && data[i] !== 0) {
    const space = data.indexOf(0x20, i);
    const length = space === -1 ? NaN : parseInt(data.toString('latin1', i, space), 10);
    if (!Number.isFinite(length) || length <= 0 || i + length > data.length) throw new Error('a malformed pax record');
    const record = data.subarray(space + 1, i + length - 1); // without the trailing newline
    const eq = record.indexOf(0x3d);
    if (eq === -1) throw new Error('a malformed pax record');
    records.push({ key: record.toString('utf8', 0, eq), value: record.subarray(eq + 1) });
    i += length;
  }
  return records;
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

/** The data of a GNU 'L'/'K' entry: the name, NUL-terminated. */
export function gnuLongName(data: Buffer, size: number): string {
  const text = data.subarray(0, size);
  const nul = text.indexOf(0);
  return text.subarray(0, nul === -1 ? size : nul).toString('utf8');
}
