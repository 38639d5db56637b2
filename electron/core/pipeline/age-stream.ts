/**
 * The payload of an age file (age-encryption.org/v1, "STREAM"): the plaintext cut into 64 KiB
 * chunks, each sealed with ChaCha20-Poly1305 under the stream key; the nonce is an 11-byte
 * big-endian chunk counter plus a last-chunk flag byte. The header (recipients, MAC) is made and
 * checked by the age-encryption package (age.ts); these streams carry it through.
 *
 * Why not the age-encryption package's own STREAM: it is a pure-JS cipher (@noble/ciphers) that
 * runs at ~130 MiB/s here and blocks the event loop while it does; Node's native
 * chacha20-poly1305 (OpenSSL) runs at ~700 MiB/s, so encryption is no longer the slowest stage.
 * The framing is the same byte for byte — tests check both against each other and the `age` CLI.
 *
 * Memory: one chunk buffer per stream. Backpressure: plain Transforms.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from './errors.js';
import { sliced } from './scheduling.js';

export const AGE_CHUNK = 64 * 1024;
export const AGE_TAG = 16;
const SEALED_CHUNK = AGE_CHUNK + AGE_TAG;

/** The per-chunk nonce: counter (bytes 0..10, big-endian) and the last-chunk flag (byte 11). */
class ChunkNonce {
  private readonly bytes = Buffer.alloc(12);
  index = 0;

  take(last: boolean): Buffer {
    this.bytes[11] = last ? 1 : 0;
    return this.bytes;
  }

  advance(): void {
    this.index++;
    for (let i = 10; i >= 0; i--) {
      this.bytes[i] = (this.bytes[i]! + 1) & 0xff;
      if (this.bytes[i] !== 0) return;
    }
    throw new Error('age STREAM counter overflow');
  }
}

export function sealChunk(key: Buffer, nonce: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: AGE_TAG });
  const body = cipher.update(plain);
  cipher.final();
  return Buffer.concat([body, cipher.getAuthTag()], plain.length + AGE_TAG);
}

/** Opens one sealed chunk; null when authentication fails (wrong key, damaged or cut data). */
export function openChunk(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < AGE_TAG) return null;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: AGE_TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - AGE_TAG));
  const plain = decipher.update(sealed.subarray(0, sealed.length - AGE_TAG));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return plain;
}

export interface SealerKeys {
  /** Written before the payload: the age header and the 16-byte payload nonce. */
  prefix: Buffer;
  streamKey: Buffer;
}

/**
 * Plaintext in, STREAM payload out. A full buffer is sealed only once more data arrives, because
 * the last chunk (which may be full) must carry the last-chunk flag; an empty input gives one
 * empty last chunk, as age requires.
 */
export class StreamSealer extends Transform {
  private readonly buffer = Buffer.allocUnsafe(AGE_CHUNK);
  private used = 0;
  private readonly nonce = new ChunkNonce();
  private key: Buffer | undefined;

  /** `keys` may still be computing (scrypt takes a second): the first chunk waits for it. */
  constructor(
    private readonly keys: Promise<SealerKeys>,
    highWaterMark?: number,
  ) {
    super({ highWaterMark });
    // Failures surface through the first _transform/_flush; don't let them go unhandled meanwhile.
    keys.catch(() => undefined);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    // In slices, so the thread pool's finished jobs are not kept waiting (scheduling.ts).
    const feed = () => sliced(chunk, (part) => this.feed(part), cb);
    if (this.key) feed();
    else this.start().then(feed, cb);
  }

  override _flush(cb: TransformCallback): void {
    const finish = () => {
      this.seal(this.buffer.subarray(0, this.used), true);
      cb();
    };
    if (this.key) finish();
    else this.start().then(finish, cb);
  }

  private async start(): Promise<void> {
    const { prefix, streamKey } = await this.keys;
    this.key = streamKey;
    this.push(prefix);
  }

  private feed(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      if (this.used === AGE_CHUNK) {
        this.seal(this.buffer, false);
        this.used = 0;
      }
      // Whole chunks straight from the input, when more follows them: no copy.
      if (this.used === 0 && data.length > AGE_CHUNK) {
        this.seal(data.subarray(0, AGE_CHUNK), false);
        data = data.subarray(AGE_CHUNK);
        continue;
      }
      const n = Math.min(AGE_CHUNK - this.used, data.length);
      data.copy(this.buffer, this.used, 0, n);
      this.used += n;
      data = data.subarray(n);
    }
  }

  private seal(plain: Buffer, last: boolean): void {
    this.push(sealChunk(this.key!, this.nonce.take(last), plain));
    this.nonce.advance();
  }
}

const MAGIC = Buffer.from('age-encryption.org/v1\n');
const MAC_LINE = Buffer.from('\n--- ');
/** Far above any real header (a recipient stanza is ~100 bytes); bounds what is buffered. */
const MAX_HEADER = 1 << 20;

/** Turns the complete header (through the MAC line) into the file key, or throws. */
export type HeaderUnlocker = (header: Buffer) => Promise<Uint8Array>;

/**
 * An age file in, plaintext out: header (handed to `unlock`, i.e. the age-encryption package),
 * payload nonce, then the STREAM payload. Every chunk is authenticated before a byte of it is
 * passed on, so damaged data never reaches the sink; a stream cut at a chunk boundary is caught
 * because the chunk before the cut does not carry the last-chunk flag.
 */
export class StreamOpener extends Transform {
  private readonly buffer = Buffer.allocUnsafe(SEALED_CHUNK);
  private used = 0;
  private readonly nonce = new ChunkNonce();
  /** Header and nonce bytes until the payload starts. */
  private head: Buffer = Buffer.alloc(0);
  private headerLength = -1;
  private key: Buffer | undefined;

  constructor(
    private readonly unlock: HeaderUnlocker,
    highWaterMark?: number,
  ) {
    super({ highWaterMark });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.key) {
      sliced(chunk, (part) => this.feed(part), cb);
      return;
    }
    this.head = Buffer.concat([this.head, chunk]);
    this.readHead().then((rest) => {
      if (rest) sliced(rest, (part) => this.feed(part), cb);
      else cb();
    }, cb);
  }

  override _flush(cb: TransformCallback): void {
    this.guard(() => {
      if (!this.key) throw this.damaged('it ends inside the age header');
      const plain = this.open(this.buffer.subarray(0, this.used), true);
      if (plain.length === 0 && this.nonce.index > 1) throw this.damaged('it ends with an empty chunk');
    }, cb);
  }

  /** Once header and nonce are complete: the key, and the payload bytes that came with them. */
  private async readHead(): Promise<Buffer | undefined> {
    const head = this.head;
    if (this.headerLength < 0) {
      const prefix = head.subarray(0, MAGIC.length);
      if (!prefix.equals(MAGIC.subarray(0, prefix.length))) {
        const armored = head.subarray(0, 10).toString('latin1') === '-----BEGIN';
        throw new IntegrityError(
          armored ? 'The object is an ASCII-armored age file, which is not supported here (decode it with `age -d` first).' : 'The object is not an age-encrypted file.',
        );
      }
      const mac = head.indexOf(MAC_LINE);
      const end = mac < 0 ? -1 : head.indexOf(0x0a, mac + MAC_LINE.length);
      if (end < 0) {
        if (head.length > MAX_HEADER) throw this.damaged('its header is larger than 1 MiB');
        return undefined;
      }
      this.headerLength = end + 1;
    }
    if (head.length < this.headerLength + 16) return undefined;
    const fileKey = await this.unlock(head.subarray(0, this.headerLength));
    const payloadNonce = head.subarray(this.headerLength, this.headerLength + 16);
    this.key = Buffer.from(hkdfSync('sha256', fileKey, payloadNonce, 'payload', 32));
    this.head = Buffer.alloc(0);
    return head.subarray(this.headerLength + 16);
  }

  private guard(work: () => void, cb: TransformCallback): void {
    try {
      work();
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb();
  }

  private feed(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      if (this.used === SEALED_CHUNK) {
        this.open(this.buffer, false);
        this.used = 0;
      }
      if (this.used === 0 && data.length > SEALED_CHUNK) {
        this.open(data.subarray(0, SEALED_CHUNK), false);
        data = data.subarray(SEALED_CHUNK);
        continue;
      }
      const n = Math.min(SEALED_CHUNK - this.used, data.length);
      data.copy(this.buffer, this.used, 0, n);
      this.used += n;
      data = data.subarray(n);
    }
  }

  private open(sealed: Buffer, last: boolean): Buffer {
    const plain = openChunk(this.key!, this.nonce.take(last), sealed);
    if (plain === null) {
      throw this.damaged(
        last ? `chunk ${this.nonce.index} (the last) fails authentication — the object is truncated or damaged` : `chunk ${this.nonce.index} fails authentication`,
      );
    }
    this.nonce.advance();
    this.push(plain);
    return plain;
  }

  private damaged(why: string): IntegrityError {
    return new IntegrityError('The encrypted object is corrupted and cannot be decrypted.', `age: ${why}`);
  }
}
