/**
 * Host key identity, as OpenSSH shows it. ssh2 hands the host verifier the raw public key blob
 * (the SSH wire encoding: string keytype, then type-specific fields); the fingerprint is the
 * SHA-256 of exactly that blob, base64 without padding — what `ssh-keygen -lf` prints.
 */
import { createHash } from 'node:crypto';

export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type named at the start of the blob, e.g. "ssh-ed25519". */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('public key blob too short');
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) throw new Error('public key blob is malformed');
  return keyBlob.subarray(4, 4 + len).toString('ascii');
}
