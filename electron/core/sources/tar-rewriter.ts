/**
 * A streaming tar transform that renames entries and changes nothing else: file data passes
 * through as it came (zero-copy slices), pax records other than path/linkpath are kept, and an
 * archive whose names all stay the same comes out byte for byte. Subclasses decide the names.
 *
 * Where a new name goes: into the pax `path` record or GNU long name if the entry has one, else
 * into the header's own fields (name, or ustar prefix + name); a name too long for those gets a
 * pax record — merged into the entry's existing pax header if there is one, because readers such
 * as Go's archive/tar (the engine's extractor) keep only the last pax header before an entry.
 * Hard-link targets are renamed like names; symbolic-link targets are data and never touched.
 *
 * The framing is checked on the way: header checksums, data of header-only types, and an
 * end-of-archive marker — a stream cut short must never pass for a whole archive.
 * Memory: one header plus at most one pax/long-name payload (bounded by maxMetaBytes).
 * Headers are read with the project's one tar parser (pipeline/tar-header.ts) and written with
 * pipeline/tar-encode.ts.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { MalformedArchiveError } from '../pipeline/errors.js';
import { encodePax, paxHeaderBlock, withNames, withSize } from '../pipeline/tar-encode.js';
import { BLOCK, blocksFor as paddedSize, decodeHeader, isZeroBlock, parsePaxRecords, sparseExtensionContinues, type HeaderBlock, type PaxRecord } from '../pipeline/tar-header.js';

/** Types whose entries never carry data blocks, whatever their size field says. */
const HEADER_ONLY_TYPES = new Set(['1', '2', '3', '4', '5', '6']);

/** The data of a GNU 'L'/'K' entry: the name, NUL-terminated. */
function gnuLongName(data: Buffer, size: number): string {
  const text = data.subarray(0, size);
  const nul = text.indexOf(0);
  return text.subarray(0, nul === -1 ? size : nul).toString('utf8');
}

export class ArchiveLayoutError extends Error {
  override name = 'ArchiveLayoutError';
}

export interface RewriterOptions {
  /** Largest pax extended header or GNU long name accepted (default 1 MiB). */
  maxMetaBytes?: number;
  /** For messages: what the archive is ("The archive of /data"). */
  what?: string;
}

export interface EntryInfo {
  /** The entry's name as readers see it (pax path, GNU long name, or header fields). */
  name: string;
  /** Hard links only: the target's name. */
  hardLinkTarget: string | undefined;
  typeflag: string;
  first: boolean;
}

/** Held until their entry's main header is seen; `raw` is their bytes as they came. */
type Held =
  | { kind: 'raw'; raw: Buffer[] }
  | { kind: 'pax'; raw: Buffer[]; records: PaxRecord[] }
  | { kind: 'long'; raw: Buffer[]; type: 'L' | 'K'; header: Buffer; name: string };

type Phase =
  | { kind: 'header' }
  | { kind: 'meta'; header: Buffer; type: string; size: number }
  | { kind: 'sparse-ext'; size: number }
  | { kind: 'data'; left: number }
  | { kind: 'end' };

export abstract class TarEntryRewriter extends Transform {
  private phase: Phase = { kind: 'header' };
  private acc = Buffer.alloc(BLOCK);
  private accFill = 0;
  private held: Held[] = [];
  private entries = 0;
  private readonly maxMeta: number;
  protected readonly what: string;

  constructor(opts: RewriterOptions = {}) {
    super();
    this.maxMeta = opts.maxMetaBytes ?? 1 << 20;
    this.what = opts.what ?? 'the archive';
  }

  /** The new names, or undefined to keep the entry as it is. Throw ArchiveLayoutError to refuse. */
  protected abstract rename(entry: EntryInfo): { name: string; hardLinkTarget?: string } | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.phase.kind !== 'end') return callback(new ArchiveLayoutError(`${this.what} ended before its end-of-archive marker`));
    callback();
  }

  private consume(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      const phase = this.phase;
      if (phase.kind === 'end') {
        this.push(chunk.subarray(i));
        return;
      }
      if (phase.kind === 'data') {
        const take = Math.min(phase.left, chunk.length - i);
        this.push(chunk.subarray(i, i + take));
        phase.left -= take;
        i += take;
        if (phase.left === 0) this.phase = { kind: 'header' };
        continue;
      }
      const take = Math.min(this.acc.length - this.accFill, chunk.length - i);
      chunk.copy(this.acc, this.accFill, i, i + take);
      this.accFill += take;
      i += take;
      if (this.accFill === this.acc.length) this.unitDone(this.takeUnit(BLOCK));
    }
  }

  /** Hands over the filled buffer and prepares the next one (of `next` bytes). */
  private takeUnit(next: number): Buffer {
    const unit = this.acc;
    this.acc = Buffer.alloc(next);
    this.accFill = 0;
    return unit;
  }

  private unitDone(unit: Buffer): void {
    const phase = this.phase;
    if (phase.kind === 'header') return this.onHeader(unit);
    if (phase.kind === 'meta') return this.onMeta(phase, unit);
    if (phase.kind === 'sparse-ext') {
      this.push(unit);
      if (!sparseExtensionContinues(unit)) this.startData(phase.size);
    }
  }

  private onHeader(block: Buffer): void {
    if (isZeroBlock(block)) {
      if (this.held.length) throw new ArchiveLayoutError(`${this.what} ends inside an entry's headers`);
      if (this.entries === 0) throw new ArchiveLayoutError(`${this.what} is empty (not even its root directory)`);
      this.push(block);
      this.phase = { kind: 'end' };
      return;
    }
    let h: HeaderBlock;
    try {
      h = decodeHeader(block, 0);
    } catch (e) {
      if (!(e instanceof MalformedArchiveError)) throw e;
      throw new ArchiveLayoutError(/checksum/.test(e.message) ? `${this.what} has a tar header with a bad checksum` : `${this.what}: ${e.message}`);
    }
    // Global pax headers ('g') apply to the whole archive and never name an entry: kept as they are.
    if (h.typeflag === 'x' || h.typeflag === 'L' || h.typeflag === 'K' || h.typeflag === 'g') return this.startMeta(block, h.typeflag, h.size);
    this.onEntry(block, h);
  }

  private startMeta(header: Buffer, type: string, size: number): void {
    if (size > this.maxMeta) throw new ArchiveLayoutError(`${this.what} has an extended header of ${size} bytes`);
    const phase = { kind: 'meta' as const, header, type, size };
    this.phase = phase;
    this.acc = Buffer.alloc(paddedSize(size));
    this.accFill = 0;
    if (size === 0) this.onMeta(phase, this.takeUnit(BLOCK));
  }

  private onMeta(phase: Extract<Phase, { kind: 'meta' }>, data: Buffer): void {
    this.phase = { kind: 'header' };
    this.acc = Buffer.alloc(BLOCK);
    this.accFill = 0;
    const raw = [phase.header, data];
    if (phase.type === 'g') return void this.held.push({ kind: 'raw', raw });
    if (phase.type === 'x') {
      let records: PaxRecord[];
      try {
        records = parsePaxRecords(data.subarray(0, phase.size), 0);
      } catch {
        throw new ArchiveLayoutError(`${this.what} has a malformed pax header`);
      }
      return void this.held.push({ kind: 'pax', raw, records });
    }
    this.held.push({ kind: 'long', raw, type: phase.type as 'L' | 'K', header: phase.header, name: gnuLongName(data, phase.size) });
  }

  private onEntry(block: Buffer, h: HeaderBlock): void {
    const paxes = this.held.filter((x): x is Extract<Held, { kind: 'pax' }> => x.kind === 'pax');
    const pax = paxes.flatMap((x) => x.records);
    const paxValue = (key: string) => pax.findLast((r) => r.key === key)?.value.toString('utf8');
    const long = (type: 'L' | 'K') => this.held.findLast((x): x is Extract<Held, { kind: 'long' }> => x.kind === 'long' && x.type === type);
    const hardLink = h.typeflag === '1';
    const name = paxValue('path') ?? long('L')?.name ?? h.name;
    const target = hardLink ? (paxValue('linkpath') ?? long('K')?.name ?? h.linkname) : undefined;

    const renamed = this.rename({ name, hardLinkTarget: target, typeflag: h.typeflag, first: this.entries === 0 });
    this.entries++;
    if (!renamed || (renamed.name === name && renamed.hardLinkTarget === target)) {
      for (const x of this.held) for (const b of x.raw) this.push(b);
      this.push(block);
    } else {
      this.emitRenamed(block, renamed.name, hardLink ? (renamed.hardLinkTarget ?? target) : undefined, paxes, long);
    }
    this.held = [];

    const paxSize = paxValue('size');
    const size = paxSize !== undefined ? Number(paxSize) : h.size;
    if (h.sparseExtended) {
      this.phase = { kind: 'sparse-ext', size: h.size };
      return;
    }
    if (HEADER_ONLY_TYPES.has(h.typeflag)) {
      if (size !== 0) throw new ArchiveLayoutError(`${this.what}: entry "${name}" is a link, directory or device carrying data`);
      return;
    }
    this.startData(size);
  }

  private emitRenamed(
    block: Buffer,
    name: string,
    target: string | undefined,
    paxes: Array<Extract<Held, { kind: 'pax' }>>,
    long: (type: 'L' | 'K') => Extract<Held, { kind: 'long' }> | undefined,
  ): void {
    const header = withNames(block, name, target);
    const inPax = (key: string) => paxes.some((x) => x.records.some((r) => r.key === key));
    // Records the entry needs that it had nowhere to keep: added to its (last) pax header.
    const extra: PaxRecord[] = [];
    if (!header.nameFits && !inPax('path') && !long('L')) extra.push({ key: 'path', value: Buffer.from(name) });
    if (target !== undefined && !header.linkFits && !inPax('linkpath') && !long('K')) extra.push({ key: 'linkpath', value: Buffer.from(target) });
    const lastPax = paxes.at(-1);

    for (const x of this.held) {
      if (x.kind === 'pax') {
        const records = x.records.map((r) =>
          r.key === 'path' ? { key: r.key, value: Buffer.from(name) } : r.key === 'linkpath' && target !== undefined ? { key: r.key, value: Buffer.from(target) } : r,
        );
        this.pushPax(x === lastPax ? [...records, ...extra] : records, x.raw[0]!);
      } else if (x.kind === 'long' && (x.type === 'L' || target !== undefined)) {
        const data = Buffer.from((x.type === 'L' ? name : target!) + '\0');
        this.push(withSize(x.header, data.length));
        this.push(Buffer.concat([data, Buffer.alloc(paddedSize(data.length) - data.length)]));
      } else {
        for (const b of x.raw) this.push(b);
      }
    }
    if (!lastPax && extra.length) this.pushPax(extra);
    this.push(header.block);
  }

  private pushPax(records: PaxRecord[], header?: Buffer): void {
    const data = encodePax(records);
    this.push(header ? withSize(header, data.length) : paxHeaderBlock(data.length));
    this.push(Buffer.concat([data, Buffer.alloc(paddedSize(data.length) - data.length)]));
  }

  private startData(size: number): void {
    const padded = paddedSize(size);
    this.phase = padded === 0 ? { kind: 'header' } : { kind: 'data', left: padded };
  }
}
