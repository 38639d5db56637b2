/**
 * Guards Node's zstd decompressor (zlib.createZstdDecompress, Node 22) against two silent losses:
 * - a stream cut in the middle of a frame ends quietly, as a shorter output with no error
 *   (gunzip, by contrast, reports "unexpected end of file");
 * - only the first frame is decoded: concatenated frames (`cat a.zst b.zst`, pzstd) and anything
 *   after a leading skippable frame are dropped without a word (nodejs/node#64741, unfixed).
 * The manifest's sha256 would catch both on a restore, but a damaged object must fail on its own,
 * and a foreign multi-frame object must be refused rather than half-restored. This pass-through
 * walks the frame structure of RFC 8878 (headers and block sizes, never the content): the first
 * frame must be a zstd frame, and any frame after it must be empty (only empty raw blocks) or
 * skippable; the stream must end where a frame ends.
 * Empty trailing frames are not hypothetical: Node's own compressor ends a stream with one (13
 * bytes: header, one empty raw block, checksum) whenever end() comes while writes are still
 * queued — the usual case in a pipeline: the last write is compressed with ZSTD_e_end because the
 * stream is "ending", then _flush asks for ZSTD_e_end again, which opens and closes a new frame.
 * Harmless for the CLI, but Node's decompressor then ends its readable side before it has read
 * all its input, and an async-iterator consumer fails with AbortError. So on the backup side
 * (`trimTrailing`) this stage also drops whatever follows the first frame — only empty or
 * skippable frames can, anything else is refused — and every stored object is exactly one frame.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';
import { IntegrityError } from './errors.js';

const FRAME_MAGIC = 0xfd2fb528;

type Field = 'magic' | 'skippable size' | 'descriptor' | 'block header' | 'checksum';

export class ZstdFrameCheck extends Transform {
  private field: Field | 'skip' = 'magic';
  /** Bytes still needed to complete the current field, or to skip. */
  private remaining = 4;
  private collected: number[] = [];
  private afterSkip: Field = 'magic';
  private frames = 0;
  private checksum = false;
  private lastBlock = false;
  private offset = 0;
  /** Where the first frame ends, once known. */
  private firstFrameEnd: number | undefined;

  constructor(private readonly opts: { trimTrailing?: boolean; highWaterMark?: number } = {}) {
    super({ highWaterMark: opts.highWaterMark });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const start = this.offset;
    try {
      this.walk(chunk);
    } catch (e) {
      cb(e as Error);
      return;
    }
    if (!this.opts.trimTrailing || this.firstFrameEnd === undefined) cb(null, chunk);
    else if (this.firstFrameEnd > start) cb(null, chunk.subarray(0, this.firstFrameEnd - start));
    else cb();
  }

  override _flush(cb: TransformCallback): void {
    const atBoundary = this.field === 'magic' && this.collected.length === 0;
    if (!atBoundary || this.frames === 0) {
      cb(new IntegrityError('The stored zstd stream is truncated: it ends inside a frame.', `at byte ${this.offset}`));
      return;
    }
    cb();
  }

  private walk(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.field === 'skip') {
        const n = Math.min(this.remaining, chunk.length - pos);
        pos += n;
        this.offset += n;
        this.remaining -= n;
        if (this.remaining === 0) {
          if (this.afterSkip === 'magic' && this.frames > 0) this.frameDone();
          else this.expect(this.afterSkip);
        }
        continue;
      }
      this.collected.push(chunk[pos]!);
      pos++;
      this.offset++;
      if (--this.remaining > 0) continue;
      const bytes = Buffer.from(this.collected);
      this.collected = [];
      this.complete(this.field, bytes);
    }
  }

  private expect(field: Field): void {
    this.field = field;
    this.remaining = field === 'magic' || field === 'skippable size' || field === 'checksum' ? 4 : field === 'block header' ? 3 : 1;
  }

  private frameDone(): void {
    this.firstFrameEnd ??= this.offset;
    this.expect('magic');
  }

  private skip(bytes: number, then: Field): void {
    if (bytes === 0) {
      this.expect(then);
      return;
    }
    this.field = 'skip';
    this.remaining = bytes;
    this.afterSkip = then;
  }

  private unsupported(): RpcError {
    return new RpcError(
      'INTERNAL',
      'The zstd object holds several frames of data (or starts with a skippable frame), which Node’s zstd decompressor would silently cut short; recompress it as one frame (zstd -dc in | zstd > out).',
    );
  }

  private complete(field: Field, bytes: Buffer): void {
    switch (field) {
      case 'magic': {
        const magic = bytes.readUInt32LE(0);
        const skippable = (magic & 0xfffffff0) === 0x184d2a50;
        if (skippable && this.frames === 0) throw this.unsupported();
        if (magic === FRAME_MAGIC) {
          this.frames++;
          this.expect('descriptor');
        } else if (skippable) this.expect('skippable size');
        else throw new IntegrityError('The stored object is not a zstd stream (bad frame magic).', `at byte ${this.offset - 4}`);
        return;
      }
      case 'skippable size':
        this.skip(bytes.readUInt32LE(0), 'magic');
        return;
      case 'descriptor': {
        const d = bytes[0]!;
        const single = (d >> 5) & 1;
        const fcs = [single ? 1 : 0, 2, 4, 8][d >> 6]!;
        const dict = [0, 1, 2, 4][d & 3]!;
        this.checksum = ((d >> 2) & 1) === 1;
        const rest = (single ? 0 : 1) + dict + fcs;
        // The rest of the header carries nothing the check needs: step over it.
        this.skip(rest, 'block header');
        return;
      }
      case 'block header': {
        const h = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16);
        this.lastBlock = (h & 1) === 1;
        const type = (h >> 1) & 3;
        if (type === 3) throw new IntegrityError('The stored zstd stream is corrupted (reserved block type).', `at byte ${this.offset - 3}`);
        const size = type === 1 ? 1 : h >>> 3;
        // A later frame holding data would be dropped by Node's decompressor.
        if (this.frames > 1 && !(type === 0 && h >>> 3 === 0)) throw this.unsupported();
        if (this.lastBlock && !this.checksum && size === 0) this.frameDone();
        else this.skip(size, this.lastBlock ? (this.checksum ? 'checksum' : 'magic') : 'block header');
        return;
      }
      case 'checksum':
        this.frameDone();
        return;
    }
  }
}
