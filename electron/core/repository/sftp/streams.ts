/**
 * Streams over an open SFTP file handle, with several requests in flight.
 *
 * ssh2's own createWriteStream/createReadStream wait for each request's answer before sending the
 * next, so throughput is one chunk per round trip — poor over a WAN link. These keep a bounded
 * window of requests outstanding (bounded memory), and still honour backpressure: the writer only
 * accepts the next chunk while the bytes in flight are under the window. Neither closes the handle
 * on its own; the backend does, after fsync and before the rename.
 */
import { Readable, Writable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { asErrno } from './session.js';

const WRITE_WINDOW = 4 << 20;

export class SftpWriter extends Writable {
  private pos = 0;
  private inFlight = 0;
  private failure: unknown;
  /** The callback of a _write held back because the window is full. */
  private blocked: (() => void) | undefined;
  /** _final's check, run again whenever a write is acknowledged. */
  private onAck: (() => void) | undefined;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    private readonly window = WRITE_WINDOW,
  ) {
    super({ highWaterMark: 256 << 10 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.failure) return cb(this.failure as Error);
    const at = this.pos;
    this.pos += chunk.length;
    this.inFlight += chunk.length;
    try {
      // ssh2 copies the data into its packet, and splits chunks larger than the server allows.
      this.sftp.write(this.handle, chunk, 0, chunk.length, at, (err) => {
        this.inFlight -= chunk.length;
        if (err && !this.failure) this.failure = asErrno(err);
        this.acknowledged();
      });
    } catch (e) {
      this.inFlight -= chunk.length;
      this.failure ??= asErrno(e);
    }
    if (this.failure) return cb(this.failure as Error);
    if (this.inFlight < this.window) return cb();
    this.blocked = () => cb(this.failure as Error | undefined);
  }

  /** Finishes only once every write was acknowledged: "finish" means the server has the bytes. */
  override _final(cb: (e?: Error | null) => void): void {
    const check = () => {
      if (this.failure || this.inFlight === 0) cb(this.failure as Error | undefined);
      else this.onAck = check;
    };
    check();
  }

  private acknowledged(): void {
    if (this.blocked && (this.failure || this.inFlight < this.window)) {
      const release = this.blocked;
      this.blocked = undefined;
      release();
    }
    const onAck = this.onAck;
    this.onAck = undefined;
    onAck?.();
  }
}

const READ_SIZE = 128 << 10;
const READ_AHEAD = 4;

interface PendingRead {
  pos: number;
  len: number;
  result: Promise<Buffer>;
}

export class SftpReader extends Readable {
  private next: number;
  private readonly end: number;
  private readonly queue: PendingRead[] = [];
  private reading = false;

  /** Reads [start, endExclusive) — or to the end of the file when endExclusive is Infinity. */
  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    start: number,
    endExclusive: number,
    private readonly closeHandle: () => Promise<void>,
  ) {
    super({ highWaterMark: READ_SIZE * 2 });
    this.next = start;
    this.end = endExclusive;
  }

  private issue(): void {
    while (this.queue.length < READ_AHEAD && this.next < this.end) {
      const pos = this.next;
      const len = Math.min(READ_SIZE, this.end - pos);
      this.next += len;
      const result = new Promise<Buffer>((resolve, reject) => {
        try {
          const buf = Buffer.allocUnsafe(len);
          this.sftp.read(this.handle, buf, 0, len, pos, (err, n) => (err ? reject(asErrno(err)) : resolve(buf.subarray(0, n))));
        } catch (e) {
          reject(asErrno(e));
        }
      });
      result.catch(() => undefined); // dropped reads (after a short read or destroy) must not go unhandled
      this.queue.push({ pos, len, result });
    }
  }

  override _read(): void {
    if (this.reading) return;
    this.issue();
    const head = this.queue.shift();
    if (!head) {
      this.push(null);
      return;
    }
    this.reading = true;
    head.result.then(
      (buf) => {
        this.reading = false;
        if (this.destroyed) return;
        if (buf.length === 0) {
          this.queue.length = 0; // end of file came before the range's end
          this.push(null);
          return;
        }
        if (buf.length < head.len) {
          // A short read before EOF: the reads queued behind it start past a gap; redo from here.
          this.queue.length = 0;
          this.next = head.pos + buf.length;
        }
        this.push(buf);
      },
      (e: unknown) => {
        this.reading = false;
        this.destroy(e as Error);
      },
    );
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.queue.length = 0;
    this.closeHandle().then(
      () => cb(err),
      () => cb(err),
    );
  }
}
