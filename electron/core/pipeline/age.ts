/**
 * Encryption stages in the age format, so `age -d` opens what Hindsight stored and Hindsight opens
 * what `age` encrypted.
 *
 * Division of labour: the age-encryption package makes and reads the header — recipient stanzas
 * (X25519, post-quantum hybrids), the header MAC, the file-key unwrapping — through its public
 * API; our streams (age-stream.ts) carry the 64 KiB STREAM payload with Node's native
 * ChaCha20-Poly1305, and the passphrase mode runs scrypt natively (age-scrypt.ts). Nothing is ever
 * collected into memory: the package's web-stream path would work too, but ~5× slower and on the
 * event loop.
 *
 * How the header is obtained: the package encrypts an empty file; its output is header ‖ payload
 * nonce ‖ one empty sealed chunk (16 bytes). We keep header ‖ nonce and derive the same stream key
 * from the file key, which we learn through a Recipient of ours (the package's extension point):
 * in recipient mode an extra recipient that contributes no stanza and only records the key; in
 * passphrase mode our scrypt recipient. A self-check re-seals the empty chunk and compares.
 */
import { hkdfSync } from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import { Decrypter, Encrypter, identityToRecipient, type Recipient, type Stanza } from 'age-encryption';
import { RpcError } from '../../../shared/contract/errors.js';
import { sealChunk, StreamOpener, StreamSealer, AGE_TAG, type SealerKeys } from './age-stream.js';
import { MAX_WORK_FACTOR, ScryptIdentity, ScryptRecipient } from './age-scrypt.js';
import { IntegrityError } from './errors.js';
import type { EncryptionSpec } from './types.js';

function streamKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** Rejects a spec that cannot work before any data moves, with words a user can act on. */
function recipientsOf(spec: Extract<EncryptionSpec, { kind: 'recipients' }>): Promise<string[]> {
  if (spec.recipients?.length) return Promise.resolve(spec.recipients);
  if (spec.identities?.length) return Promise.all(spec.identities.map((i) => identityToRecipient(i)));
  return Promise.reject(new RpcError('INVALID_INPUT', 'Encryption to recipients needs at least one recipient (age1…).'));
}

export async function prepareEncryption(spec: Exclude<EncryptionSpec, { kind: 'none' }>): Promise<SealerKeys> {
  const encrypter = new Encrypter();
  let fileKey: Uint8Array | undefined;
  const recordKey = (k: Uint8Array) => {
    fileKey = Uint8Array.from(k);
  };
  if (spec.kind === 'passphrase') {
    if (!spec.passphrase) throw new RpcError('INVALID_INPUT', 'The encryption passphrase is empty.');
    const scrypt = new ScryptRecipient(spec.passphrase, spec.workFactor);
    encrypter.addRecipient({
      wrapFileKey: (k: Uint8Array) => {
        recordKey(k);
        return scrypt.wrapFileKey(k);
      },
    });
  } else {
    for (const r of await recipientsOf(spec)) {
      try {
        encrypter.addRecipient(r);
      } catch (e) {
        throw new RpcError('INVALID_INPUT', `"${r}" is not an age recipient.`, (e as Error).message);
      }
    }
    const recorder: Recipient = {
      wrapFileKey: (k: Uint8Array): Stanza[] => {
        recordKey(k);
        return [];
      },
    };
    encrypter.addRecipient(recorder);
  }
  const empty = Buffer.from(await encrypter.encrypt(new Uint8Array(0)));
  if (!fileKey) throw new Error('age: the file key was not observed');
  const prefix = empty.subarray(0, empty.length - AGE_TAG);
  const nonce = prefix.subarray(prefix.length - 16);
  const key = streamKey(fileKey, nonce);
  // If a future age-encryption derived the payload differently, fail here rather than store junk.
  const lastFlag = Buffer.alloc(12);
  lastFlag[11] = 1;
  if (!sealChunk(key, lastFlag, Buffer.alloc(0)).equals(empty.subarray(empty.length - AGE_TAG))) {
    throw new Error('age: the payload key does not match the age-encryption package');
  }
  return { prefix: Buffer.from(prefix), streamKey: key };
}

function decrypterFor(spec: Exclude<EncryptionSpec, { kind: 'none' }>): Decrypter {
  const d = new Decrypter();
  if (spec.kind === 'passphrase') {
    d.addIdentity(new ScryptIdentity(spec.passphrase));
    return d;
  }
  if (!spec.identities?.length) throw new RpcError('INVALID_INPUT', 'Decrypting needs the identity (AGE-SECRET-KEY-1…) of one of the recipients.');
  for (const i of spec.identities) {
    try {
      d.addIdentity(i);
    } catch (e) {
      throw new RpcError('INVALID_INPUT', 'One of the given age identities is not valid.', (e as Error).message);
    }
  }
  return d;
}

/** The file key from a header, with the package's failures in the pipeline's terms. */
function unlocker(decrypter: Decrypter): (header: Buffer) => Promise<Uint8Array> {
  return async (header) => {
    try {
      return await decrypter.decryptHeader(header);
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (/no identity matched/i.test(msg)) {
        throw new RpcError('AUTH_FAILED', 'The passphrase or key does not open this encrypted object.', msg);
      }
      if (/work factor/i.test(msg)) {
        throw new RpcError('INTERNAL', `The object was encrypted with an scrypt work factor above ${MAX_WORK_FACTOR}, which would need over 1 GiB of memory to open; decrypt it with \`age -d\`.`, msg);
      }
      throw new IntegrityError('The header of the encrypted object is damaged or not age’s.', msg);
    }
  };
}

/** Plaintext in, age file out ('none': a pass-through). */
export function createEncryptStage(spec: EncryptionSpec, highWaterMark?: number): Duplex {
  if (spec.kind === 'none') return new PassThrough({ highWaterMark });
  return new StreamSealer(prepareEncryption(spec), highWaterMark);
}

/** age file in, plaintext out ('none': a pass-through). Spec errors throw at once. */
export function createDecryptStage(spec: EncryptionSpec, highWaterMark?: number): Duplex {
  if (spec.kind === 'none') return new PassThrough({ highWaterMark });
  return new StreamOpener(unlocker(decrypterFor(spec)), highWaterMark);
}
