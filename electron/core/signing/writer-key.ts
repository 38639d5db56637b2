/**
 * This console's snapshot-signing key (Ed25519): made on first use, kept in the config dir as
 * `writer-key.pem` (PKCS#8, mode 0600) and never sent anywhere. Its public half identifies the
 * writer: `keyId` is "SHA256:" + the unpadded base64 of the SHA-256 of the 32-byte raw public key —
 * the form of an SSH key fingerprint, so people can compare them by eye.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const WRITER_KEY_FILE = 'writer-key.pem';

export interface ManifestSigner {
  /** Who signs, in words ("console@laptop"). Informative only: trust goes by the key. */
  writer: string;
  keyId: string;
  /** The raw 32-byte public key, base64. */
  publicKey: string;
  sign(bytes: Buffer): Buffer;
}

/** The 32 raw bytes of an Ed25519 public key (the end of its SPKI DER encoding). */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function keyIdOf(rawPublic: Buffer): string {
  return `SHA256:${createHash('sha256').update(rawPublic).digest('base64').replace(/=+$/, '')}`;
}

/** A KeyObject from a raw base64 public key (what trust stores and manifests keep). */
export function publicKeyFromRaw(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  // SPKI DER prefix of an Ed25519 key (RFC 8410), then the 32 raw bytes.
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

export function signerFromPrivateKey(privateKey: KeyObject, writer: string): ManifestSigner {
  const raw = rawPublicKey(createPublicKey(privateKey));
  return {
    writer,
    keyId: keyIdOf(raw),
    publicKey: raw.toString('base64'),
    sign: (bytes) => sign(null, bytes, privateKey),
  };
}

const cache = new Map<string, Promise<ManifestSigner>>();

/** This console's signer for `configDir`, creating its key the first time. */
export function consoleSigner(configDir: string): Promise<ManifestSigner> {
  const file = path.join(configDir, WRITER_KEY_FILE);
  let p = cache.get(file);
  if (!p) {
    p = loadOrCreate(file).catch((e: unknown) => {
      cache.delete(file);
      throw e;
    });
    cache.set(file, p);
  }
  return p;
}

async function loadOrCreate(file: string): Promise<ManifestSigner> {
  // The agent names itself (agent@<host>) through the environment its container is created with.
  const writer = process.env.HINDSIGHT_WRITER || `console@${os.hostname()}`;
  try {
    return signerFromPrivateKey(createPrivateKey(await fsp.readFile(file, 'utf8')), writer);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`The snapshot-signing key ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  await fsp.mkdir(path.dirname(file), { recursive: true });
  // Written aside, then linked into place: link(2) fails if another process (the CLI beside the
  // app) made its key first — then that one is THE key, and ours is dropped.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fsp.writeFile(tmp, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600, flag: 'wx' });
  try {
    await fsp.link(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return signerFromPrivateKey(createPrivateKey(await fsp.readFile(file, 'utf8')), writer);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  return signerFromPrivateKey(privateKey, writer);
}
