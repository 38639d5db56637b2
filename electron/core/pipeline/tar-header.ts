/**
 * Decoding of tar header blocks and pax records, for the tar guard — strict on purpose.
 *
 * Why not tar-stream's parser: a validator must frame the archive exactly as the extractor will
 * (GNU tar in a helper container, or Docker's Go archive/tar), or a crafted archive can show it one
 * entry while the extractor sees another. tar-stream differs from both where it matters: it does
 * not know GNU sparse files (type 'S', whose extension blocks it would read as file data), it skips
 * zero blocks and keeps reading, and it frames the data of links and directories by their size
 * field where Go ignores it. So the guard frames the stream itself, with these decoders, and
 * refuses whatever GNU tar and Go could read differently (see tar-guard.ts). tar-stream is still
 * what the tests use to craft hostile archives.
 *
 * This is the project's one tar parser: the guard, the canonical rewrite of a restore (tar-guard.ts)
 * and the entry-name normaliser of backups (sources/tar-rewriter.ts) all read headers with it; what
 * writes headers is in tar-encode.ts.
 */
import { MalformedArchiveError } from './errors.js';

export const BLOCK = 512;

export interface HeaderBlock {
  /** ustar prefix + name, or the name alone (GNU format). Raw, not normalised. */
  name: string;
  linkname: string;
  /** The type flag character; '\0' (old regular files) is kept as '\0'. */
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  uname: string;
  gname: string;
  format: 'ustar' | 'gnu';
  /** GNU old-style sparse file ('S'): an extension block follows the header. */
  sparseExtended: boolean;
  /** GNU old-style sparse file ('S'): the file's real (expanded) size. */
  sparseRealSize: number | undefined;
}

const USTAR_MAGIC = Buffer.from('ustar\x0000', 'latin1');
const GNU_MAGIC = Buffer.from('ustar  \x00', 'latin1');
const STAR_TRAILER = Buffer.from('tar\x00', 'latin1');

export function blocksFor(bytes: number): number {
  return Math.ceil(bytes / BLOCK) * BLOCK;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function str(block: Buffer, start: number, length: number): string {
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return block.toString('utf8', start, end);
}

/** An octal field (NUL/space padded) or GNU's base-256 form (high bit of the first byte set). */
function num(block: Buffer, start: number, length: number, field: string): number {
  const first = block[start]!;
  if (first & 0x80) {
    if (first !== 0x80) throw new MalformedArchiveError(`A tar header has a negative or oversized ${field}.`);
    let v = 0;
    for (let i = start + 1; i < start + length; i++) v = v * 256 + block[i]!;
    if (!Number.isSafeInteger(v)) throw new MalformedArchiveError(`A tar header has an oversized ${field}.`);
    return v;
  }
  const text = block
    .toString('latin1', start, start + length)
    .replace(/^[ \0]+/, '')
    .replace(/[ \0]+$/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new MalformedArchiveError(`A tar header has an invalid ${field} field ("${text}").`);
  return parseInt(text, 8);
}

function checksumMatches(block: Buffer): boolean {
  let stored: number;
  try {
    stored = num(block, 148, 8, 'checksum');
  } catch {
    return false; // not even a number there: not a tar header
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  // Some old tars summed signed chars; GNU tar and Go accept both.
  return stored === unsigned || stored === signed;
}

/** Decodes a non-zero header block; throws MalformedArchiveError when it is not a tar header. */
export function decodeHeader(block: Buffer, offset: number): HeaderBlock {
  if (!checksumMatches(block)) {
    throw new MalformedArchiveError(`The tar stream is damaged: bad header checksum at byte ${offset} (not a tar archive, or corrupted).`);
  }
  const magic = block.subarray(257, 265);
  let format: HeaderBlock['format'];
  if (magic.equals(USTAR_MAGIC)) format = 'ustar';
  else if (magic.equals(GNU_MAGIC)) format = 'gnu';
  else throw new MalformedArchiveError(`Unsupported tar format at byte ${offset}: only ustar, pax and GNU archives are accepted.`);
  // "star" archives shorten the prefix to 131 bytes; GNU tar and Go disagree on how to detect them.
  if (format === 'ustar' && block.subarray(508, 512).equals(STAR_TRAILER)) {
    throw new MalformedArchiveError(`Unsupported tar format at byte ${offset}: star archives are not accepted.`);
  }
  let name = str(block, 0, 100);
  if (format === 'ustar') {
    const prefix = str(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const typeflag = String.fromCharCode(block[156]!);
  const sparse = format === 'gnu' && typeflag === 'S';
  return {
    name,
    linkname: str(block, 157, 100),
    typeflag,
    mode: num(block, 100, 8, 'mode'),
    uid: num(block, 108, 8, 'uid'),
    gid: num(block, 116, 8, 'gid'),
    size: num(block, 124, 12, 'size'),
    mtime: num(block, 136, 12, 'mtime'),
    uname: str(block, 265, 32),
    gname: str(block, 297, 32),
    format,
    sparseExtended: sparse && block[482] !== 0,
    sparseRealSize: sparse ? num(block, 483, 12, 'sparse size') : undefined,
  };
}

/** Whether another GNU sparse extension block follows this one. */
export function sparseExtensionContinues(block: Buffer): boolean {
  return block[504] !== 0;
}

/** One pax record; the value is kept as bytes (xattr values need not be UTF-8). */
export interface PaxRecord {
  key: string;
  value: Buffer;
}

/** pax extended header records: "<length> <key>=<value>\n", parsed strictly. Later keys win (as in GNU tar and Go). */
export function parsePax(data: Buffer, offset: number): Map<string, string> {
  return new Map(parsePaxRecords(data, offset).map((r) => [r.key, r.value.toString('utf8')]));
}

/** The records in their order, values as bytes. */
export function parsePaxRecords(data: Buffer, offset: number): PaxRecord[] {
  const records: PaxRecord[] = [];
  let pos = 0;
  const bad = (why: string) => new MalformedArchiveError(`A pax extended header at byte ${offset} is malformed: ${why}.`);
  while (pos < data.length) {
    // Some writers pad with NULs; nothing may follow the padding.
    if (data[pos] === 0) {
      if (!isZeroBlock(data.subarray(pos))) throw bad('data after NUL padding');
      break;
    }
    const space = data.indexOf(0x20, pos);
    if (space < 0 || space - pos > 20) throw bad('no record length');
    const lengthText = data.toString('latin1', pos, space);
    if (!/^[1-9][0-9]*$/.test(lengthText)) throw bad(`invalid record length "${lengthText}"`);
    const length = Number(lengthText);
    const end = pos + length;
    if (end > data.length || data[end - 1] !== 0x0a) throw bad('a record overruns its length');
    const record = data.subarray(space + 1, end - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw bad('a record has no key');
    records.push({ key: record.toString('utf8', 0, eq), value: Buffer.from(record.subarray(eq + 1)) });
    pos = end;
  }
  return records;
}

/** A decimal pax number (size, uid, realsize); mtime may have a fraction. */
export function paxNumber(value: string, key: string, fraction = false): number {
  const ok = fraction ? /^-?[0-9]+(\.[0-9]+)?$/.test(value) : /^[0-9]+$/.test(value);
  const v = Number(value);
  if (!ok || !Number.isFinite(v) || (!fraction && !Number.isSafeInteger(v))) {
    throw new MalformedArchiveError(`A pax header has an invalid ${key} ("${value}").`);
  }
  return v;
}
