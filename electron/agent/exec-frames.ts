/**
 * The frames between the agent's exec client (exec-client.ts, what `docker exec hindsight-agent
 * hindsight-agent …` starts) and a warm worker (warm-worker.ts, a Node process that loaded the
 * agent before it was needed): one byte of kind, four of length (big-endian), the payload.
 *
 *   client → worker   h  the command line, JSON {"argv":[…]} (first, once)
 *                     i  bytes of stdin        z  stdin ended
 *                     s  a signal the client got (its name: "SIGTERM")
 *   worker → client   a  taken: the worker runs it (before this, the client may still run the
 *                        command itself — nothing has been done)
 *                     o  bytes of stdout       e  bytes of stderr
 *                     x  the exit code (last)
 *
 * Plain Node, no dependencies: the client must start in a few milliseconds.
 */
export type FrameKind = 'h' | 'i' | 'z' | 's' | 'a' | 'o' | 'e' | 'x';

export interface Frame {
  kind: FrameKind;
  payload: Buffer;
}

/** A frame is a line of output or a chunk of stdin; a larger one is not from our peer. */
export const MAX_FRAME_BYTES = 16 << 20;

const KINDS = new Set<string>(['h', 'i', 'z', 's', 'a', 'o', 'e', 'x']);

export function encodeFrame(kind: FrameKind, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(5);
  head.write(kind, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into frames; throws on a frame no peer of ours would send. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffered.length >= 5) {
      const kind = String.fromCharCode(this.buffered[0]!);
      if (!KINDS.has(kind)) throw new Error(`an unknown frame ${JSON.stringify(kind)}`);
      const length = this.buffered.readUInt32BE(1);
      if (length > MAX_FRAME_BYTES) throw new Error(`a frame of ${length} bytes`);
      if (this.buffered.length < 5 + length) break;
      frames.push({ kind: kind as FrameKind, payload: this.buffered.subarray(5, 5 + length) });
      this.buffered = this.buffered.subarray(5 + length);
    }
    return frames;
  }

  /** Bytes of a frame not complete yet. */
  get pending(): number {
    return this.buffered.length;
  }
}
