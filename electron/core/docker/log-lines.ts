/**
 * Turning the bytes of a container's log stream into lines (pure, unit-tested).
 *
 * Without a TTY the engine multiplexes stdout and stderr into frames: an 8-byte header
 * [stream(1=stdout, 2=stderr), 0, 0, 0, size uint32 big-endian] then `size` bytes of payload. With a
 * TTY it sends the raw terminal bytes. Either way frames and chunks have nothing to do with lines:
 * a line can span chunks and a chunk can end in the middle of a header or of a UTF-8 character,
 * so splitting works on bytes and only complete lines are decoded.
 */
export type LogStream = 'stdout' | 'stderr';

/** Lines longer than this are cut (and marked), so one runaway line cannot eat the memory. */
export const MAX_LINE_BYTES = 64 * 1024;
export const TRUNCATED_MARK = ' …[line truncated]';

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** Inside an over-long line that was already emitted cut: drop bytes until its newline. */
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.skipping) this.append(chunk.subarray(start, end));
      if (nl === -1) break;
      if (this.skipping) this.skipping = false;
      else this.flush();
      start = nl + 1;
    }
  }

  /** Emits a last line that had no newline (the stream ended). */
  end(): void {
    if (this.size > 0 && !this.skipping) this.flush();
    this.parts = [];
    this.size = 0;
    this.skipping = false;
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    const room = this.maxBytes - this.size;
    if (piece.length <= room) {
      this.parts.push(piece);
      this.size += piece.length;
      return;
    }
    this.parts.push(piece.subarray(0, room));
    this.size += room;
    this.flush(TRUNCATED_MARK);
    this.skipping = true;
  }

  private flush(suffix = ''): void {
    let line = Buffer.concat(this.parts, this.size).toString('utf8');
    this.parts = [];
    this.size = 0;
    if (line.endsWith('\r')) line = line.slice(0, -1); // TTY output ends lines with CRLF
    this.onLine(line + suffix);
  }
}

/** Splits the engine's multiplexed stream into per-stream payload pieces. */
export class LogDemuxer {
  private header = Buffer.alloc(8);
  private headerFill = 0;
  private remaining = 0;
  private stream: LogStream = 'stdout';

  constructor(private readonly onPayload: (stream: LogStream, bytes: Buffer) => void) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(8 - this.headerFill, chunk.length - i);
        chunk.copy(this.header, this.headerFill, i, i + take);
        this.headerFill += take;
        i += take;
        if (this.headerFill < 8) return;
        this.headerFill = 0;
        // 0 would be stdin (never sent by logs); treat anything but 2 as stdout.
        this.stream = this.header[0] === 2 ? 'stderr' : 'stdout';
        this.remaining = this.header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - i);
      this.onPayload(this.stream, chunk.subarray(i, i + take));
      this.remaining -= take;
      i += take;
    }
  }
}

/** With timestamps=true every line starts with the engine's RFC 3339 time and a space. */
export function splitTimestamp(line: string): { ts: string; line: string } {
  const space = line.indexOf(' ');
  const head = space === -1 ? line : line.slice(0, space);
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(head)) {
    return { ts: head, line: space === -1 ? '' : line.slice(space + 1) };
  }
  return { ts: new Date().toISOString(), line };
}
