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
 * get them rewritten to "./…" here, in the header blocks only: file data is never touched, pax
 * records other than path/linkpath are kept as they are. Names only get shorter ("src/" → "./"),
 * so they always fit where they were.
 *
 * Memory: one header plus at most one pax/long-name payload (bounded by maxMetaBytes) at a time.
 */
import { Transform, type TransformCallback } from 'node:stream';
import {
  BLOCK,
  HEADER_ONLY_TYPES,
  checksumOk,
  decodeHeader,
  encodePax,
  gnuLongName,
  hasSparseExtension,
  isZeroBlock,
  paddedSize,
  parsePax,
  withNames,
  withSize,
  type PaxRecord,
} from './tar-block.js';

export class ArchiveLayoutError extends Error {
  override name = 'ArchiveLayoutError';
}

export interface NormalizerOptions {
  /** Largest pax extended header or GNU long name accepted (default 1 MiB). */
  maxMetaBytes?: number;
  /** For messages: where the archive came from. */
  what?: string;
}

/** Headers held until their entry's main header is seen; `raw` is their bytes as they came. */
type Held =
  | { kind: 'raw'; raw: Buffer[] }
  | { kind: 'pax'; raw: Buffer[]; header: Buffer; records: PaxRecord[] }
  | { kind: 'long'; raw: Buffer[]; type: 'L' | 'K'; header: Buffer; name: string };

type Phase =
  | { kind: 'header' }
  | { kind: 'meta'; header: Buffer; type: string; size: number }
  | { kind: 'sparse-ext' }
  | { kind: 'data'; left: number }
  | { kind: 'end' };

export class TarNameNormalizer extends Transform {
  private phase: Phase = { kind: 'header' };
  private acc = Buffer.alloc(BLOCK);
  private accFill = 0;
  private accNeed = BLOCK;
  private held: Held[] = [];
  /** Undefined until the first entry: then "keep" (already "./…") or the directory name to strip. */
  private mode: { kind: 'keep' } | { kind: 'strip'; root: string } | undefined;
  private sparseData = 0;
  private readonly maxMeta: number;
  private readonly what: string;

  constructor(opts: NormalizerOptions = {}) {
    super();
    this.maxMeta = opts.maxMetaBytes ?? 1 << 20;
    this.what = opts.what ?? 'the archive';
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // A stream cut short (a dropped connection can look like a clean end) must never pass as a
    // whole archive: Docker always writes the end-of-archive blocks.
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
      const take = Math.min(this.accNeed - this.accFill, chunk.length - i);
      chunk.copy(this.acc, this.accFill, i, i + take);
      this.accFill += take;
      i += take;
      if (this.accFill === this.accNeed) {
        const unit = this.acc.subarray(0, this.accNeed);
        this.acc = Buffer.alloc(BLOCK);
        this.accFill = 0;
        this.accNeed = BLOCK;
        this.unitDone(unit);
      }
    }
  }

  private unitDone(unit: Buffer): void {
    const phase = this.phase;
    if (phase.kind === 'header') return this.onHeader(unit);
    if (phase.kind === 'meta') return this.onMeta(phase, unit);
    if (phase.kind === 'sparse-ext') {
      this.push(unit);
      if (!hasSparseExtension(unit, true)) this.startData(this.sparseData);
    }
  }

  private onHeader(block: Buffer): void {
    if (isZeroBlock(block)) {
      if (this.held.length) throw new ArchiveLayoutError(`${this.what} ends inside an entry's headers`);
      if (!this.mode) throw new ArchiveLayoutError(`${this.what} is empty (not even its root directory)`);
      this.push(block);
      this.phase = { kind: 'end' };
      return;
    }
    if (!checksumOk(block)) throw new ArchiveLayoutError(`${this.what} has a tar header with a bad checksum`);
    const h = decodeHeader(block);
    if (h.typeflag === 'x' || h.typeflag === 'L' || h.typeflag === 'K') {
      return this.startMeta(block, h.typeflag, h.size);
    }
    // Global pax headers apply to the whole archive, never name one entry: passed on as they are.
    if (h.typeflag === 'g') return this.startMeta(block, 'g', h.size);
    this.onEntry(block, h);
  }

  private startMeta(header: Buffer, type: string, size: number): void {
    if (size > this.maxMeta) throw new ArchiveLayoutError(`${this.what} has an extended header of ${size} bytes`);
    const phase = { kind: 'meta' as const, header, type, size };
    this.phase = phase;
    this.accNeed = paddedSize(size);
    this.acc = Buffer.alloc(this.accNeed);
    if (this.accNeed === 0) this.onMeta(phase, Buffer.alloc(0));
  }

  private onMeta(phase: Extract<Phase, { kind: 'meta' }>, data: Buffer): void {
    this.phase = { kind: 'header' };
    const raw = [phase.header, data];
    if (phase.type === 'g') {
      this.held.push({ kind: 'raw', raw });
    } else if (phase.type === 'x') {
      let records: PaxRecord[];
      try {
        records = parsePax(data.subarray(0, phase.size));
      } catch {
        throw new ArchiveLayoutError(`${this.what} has a malformed pax header`);
      }
      this.held.push({ kind: 'pax', raw, header: phase.header, records });
    } else {
      this.held.push({ kind: 'long', raw, type: phase.type as 'L' | 'K', header: phase.header, name: gnuLongName(data, phase.size) });
    }
  }

  private onEntry(block: Buffer, h: ReturnType<typeof decodeHeader>): void {
    const pax = this.held.flatMap((x) => (x.kind === 'pax' ? x.records : []));
    const paxValue = (key: string) => pax.findLast((r) => r.key === key)?.value.toString('utf8');
    const long = (type: 'L' | 'K') => this.held.findLast((x): x is Extract<Held, { kind: 'long' }> => x.kind === 'long' && x.type === type)?.name;
    const name = paxValue('path') ?? long('L') ?? h.name;
    const hardLink = h.typeflag === '1';

    this.mode ??= this.decideMode(name, h.typeflag);
    const mode = this.mode;
    const rename = (n: string) => (mode.kind === 'keep' ? this.checkKept(n) : this.strip(n, mode.root));

    if (mode.kind === 'keep') {
      rename(name);
      if (hardLink) rename(paxValue('linkpath') ?? long('K') ?? h.linkname);
      for (const x of this.held) for (const b of x.raw) this.push(b);
      this.push(block);
    } else {
      rename(name); // throws for a name outside the root, wherever the headers keep it
      if (hardLink) rename(paxValue('linkpath') ?? long('K') ?? h.linkname);
      for (const x of this.held) {
        if (x.kind === 'pax') {
          const records = x.records.map((r) =>
            r.key === 'path' || (hardLink && r.key === 'linkpath') ? { key: r.key, value: Buffer.from(rename(r.value.toString('utf8'))) } : r,
          );
          const data = encodePax(records);
          this.push(withSize(x.header, data.length));
          this.push(Buffer.concat([data, Buffer.alloc(paddedSize(data.length) - data.length)]));
        } else if (x.kind === 'long' && (x.type === 'L' || hardLink)) {
          const data = Buffer.from(rename(x.name) + '\0');
          this.push(withSize(x.header, data.length));
          this.push(Buffer.concat([data, Buffer.alloc(paddedSize(data.length) - data.length)]));
        } else {
          for (const b of x.raw) this.push(b);
        }
      }
      // The header's own fields: rewritten when they hold the prefixed name (a pax/long-name entry
      // may carry a truncated copy there, which is rewritten only if it carries the prefix too).
      const own = (n: string) => (n === mode.root || n.startsWith(`${mode.root}/`) ? this.strip(n, mode.root) : n);
      this.push(withNames(block, own(h.name), hardLink ? own(h.linkname) : undefined));
    }
    this.held = [];

    if (h.typeflag === 'S' && hasSparseExtension(block, false)) {
      this.sparseData = h.size;
      this.phase = { kind: 'sparse-ext' };
      return;
    }
    const paxSize = paxValue('size');
    const size = paxSize !== undefined ? Number(paxSize) : h.size;
    if (HEADER_ONLY_TYPES.has(h.typeflag)) {
      if (size !== 0) throw new ArchiveLayoutError(`${this.what}: entry "${name}" is a link, directory or device carrying data`);
      return;
    }
    this.startData(size);
  }

  private startData(size: number): void {
    const padded = paddedSize(size);
    this.phase = padded === 0 ? { kind: 'header' } : { kind: 'data', left: padded };
  }

  private decideMode(name: string, typeflag: string): NonNullable<TarNameNormalizer['mode']> {
    if (name === '.' || name === './') return { kind: 'keep' };
    const root = name.replace(/\/$/, '');
    if (typeflag === '5' && root !== '' && !root.includes('/') && root !== '..') return { kind: 'strip', root };
    throw new ArchiveLayoutError(`${this.what} does not start with its root directory (first entry: "${name}")`);
  }

  private checkKept(name: string): string {
    if (name !== '.' && !name.startsWith('./')) throw new ArchiveLayoutError(`${this.what} has an entry outside its root: "${name}"`);
    return name;
  }

  private strip(name: string, root: string): string {
    if (name === root || name === `${root}/`) return './';
    if (name.startsWith(`${root}/`)) return `./${name.slice(root.length + 1)}`;
    throw new ArchiveLayoutError(`${this.what} has an entry outside its root "${root}/": "${name}"`);
  }
}
