/**
 * age's passphrase mode ("scrypt" stanza), as a Recipient and an Identity for the age-encryption
 * package, computed with Node's native scrypt.
 *
 * Why our own: the package's scrypt is pure JS and synchronous — it would freeze the backend's
 * event loop (and with it every RPC, progress event and SSH keepalive) for a second or more per
 * object. Node's crypto.scrypt runs in the thread pool. The stanza format is age's:
 *   -> scrypt <base64 salt (16 bytes)> <log2 N>
 *   ChaCha20-Poly1305(key = scrypt(passphrase, "age-encryption.org/v1/scrypt" ‖ salt, N, r=8, p=1),
 *                     nonce = 0, file key)
 * Memory: scrypt needs 128·r·N bytes — 256 MiB at the default work factor 18, for about a second,
 * once per object. That is the cost of age's passphrase mode (the CLI pays it too); the recipient
 * mode (X25519 keys) has none.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { Stanza, type Identity, type Recipient } from 'age-encryption';

const LABEL = Buffer.from('age-encryption.org/v1/scrypt');
export const DEFAULT_WORK_FACTOR = 18;
/** The highest work factor we decrypt (the age-encryption package's limit too): 1 GiB of memory. */
export const MAX_WORK_FACTOR = 20;

function deriveKey(passphrase: string, salt: Buffer, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scrypt(passphrase, Buffer.concat([LABEL, salt]), 32, { N, r: 8, p: 1, maxmem: 128 * 8 * N + (1 << 20) }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

const ZERO_NONCE = Buffer.alloc(12);

function wrap(key: Buffer, fileKey: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  return Buffer.concat([c.update(fileKey), c.final(), c.getAuthTag()]);
}

function unwrap(key: Buffer, body: Uint8Array): Buffer | null {
  if (body.length !== 32) return null;
  const d = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  d.setAuthTag(body.subarray(16));
  const fileKey = d.update(body.subarray(0, 16));
  try {
    d.final();
    return fileKey;
  } catch {
    return null;
  }
}

/** age's base64: standard alphabet, no padding, canonical. */
function b64encode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}
function b64decode(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return b64encode(bytes) === text ? bytes : null;
}

export function checkWorkFactor(logN: number): void {
  if (!Number.isInteger(logN) || logN < 1 || logN > MAX_WORK_FACTOR) {
    throw new RangeError(`The scrypt work factor must be an integer from 1 to ${MAX_WORK_FACTOR}, not ${logN}.`);
  }
}

export class ScryptRecipient implements Recipient {
  constructor(
    private readonly passphrase: string,
    private readonly logN = DEFAULT_WORK_FACTOR,
  ) {
    checkWorkFactor(logN);
  }

  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const salt = randomBytes(16);
    const key = await deriveKey(this.passphrase, salt, this.logN);
    return [new Stanza(['scrypt', b64encode(salt), String(this.logN)], wrap(key, fileKey))];
  }
}

export class ScryptIdentity implements Identity {
  constructor(private readonly passphrase: string) {}

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    const stanza = stanzas.find((s) => s.args[0] === 'scrypt');
    if (!stanza) return null;
    // A passphrase file has exactly one recipient: anything else is a forged or broken header.
    if (stanzas.length !== 1) throw new Error('an scrypt stanza must be the only one in an age header');
    const [, saltText = '', logNText = ''] = stanza.args;
    const salt = b64decode(saltText);
    if (stanza.args.length !== 3 || salt?.length !== 16 || !/^[1-9][0-9]?$/.test(logNText)) throw new Error('invalid scrypt stanza');
    const logN = Number(logNText);
    if (logN > MAX_WORK_FACTOR) throw new Error(`the scrypt work factor ${logN} is above the limit of ${MAX_WORK_FACTOR}`);
    return unwrap(await deriveKey(this.passphrase, salt, logN), stanza.body);
  }
}
