/**
 * Signing and checking manifests (docs/format.md, "Signatures"). The signed bytes are the line
 * "hindsight-manifest-v1\n" followed by the canonical JSON of the manifest without its `signature`
 * member. Checking happens on the object as read from the repository, before any schema parse
 * drops unknown members: a member added after signing breaks the signature.
 */
import { verify } from 'node:crypto';
import type { Manifest, SnapshotTrust } from '../../../shared/contract/snapshots.js';
import { canonicalJson } from './canonical-json.js';
import type { TrustedWriters } from './trusted-writers.js';
import { publicKeyFromRaw, type ManifestSigner } from './writer-key.js';

const DOMAIN = 'hindsight-manifest-v1\n';

/** The signed bytes of a manifest — or, with its own `domain` line, of another signed record (pitr/). */
export function signedBytes(manifest: Record<string, unknown>, domain = DOMAIN): Buffer {
  const { signature: _ignored, ...rest } = manifest;
  return Buffer.from(domain + canonicalJson(rest));
}

/** The manifest with its writer's signature. */
export function signManifest<M extends Manifest | (Record<string, unknown> & { sourceHost: { id: string; name: string } })>(manifest: M, signer: ManifestSigner, domain = DOMAIN): M {
  const { signature: _old, ...unsigned } = manifest;
  const value = signer.sign(signedBytes(unsigned, domain)).toString('base64');
  return { ...unsigned, signature: { algorithm: 'ed25519', keyId: signer.keyId, writer: signer.writer, value } } as M;
}

/** Who signed a manifest (as read, before parsing), and whether this console trusts that for its source host. */
export async function checkManifest(raw: unknown, trusted: TrustedWriters, domain = DOMAIN): Promise<SnapshotTrust> {
  const m = (raw ?? {}) as Record<string, unknown> & { signature?: { algorithm?: unknown; keyId?: unknown; writer?: unknown; value?: unknown }; sourceHost?: { id?: unknown; name?: unknown } };
  const sig = m.signature;
  if (!sig || typeof sig !== 'object') return { status: 'unsigned', message: 'The snapshot is not signed (written before signing existed, or by another tool).' };
  const keyId = typeof sig.keyId === 'string' ? sig.keyId : '';
  const writer = typeof sig.writer === 'string' ? sig.writer : 'an unnamed writer';
  if (sig.algorithm !== 'ed25519' || typeof sig.value !== 'string' || !keyId) return { status: 'bad-signature', writer, message: 'The snapshot has a malformed signature.' };
  const pinned = await trusted.find(keyId);
  if (!pinned) return { status: 'unknown-writer', writer, keyId, message: `The snapshot is signed by ${writer} (${keyId}), a writer this console does not trust.` };
  let ok: boolean;
  try {
    ok = verify(null, signedBytes(m, domain), publicKeyFromRaw(pinned.publicKey), Buffer.from(sig.value, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) return { status: 'bad-signature', writer: pinned.writer, keyId, message: `The snapshot's signature does not match its content: it was changed after ${pinned.writer} signed it.` };
  const hostId = typeof m.sourceHost?.id === 'string' ? m.sourceHost.id : '';
  const hostName = typeof m.sourceHost?.name === 'string' ? m.sourceHost.name : hostId;
  if (pinned.hosts !== '*' && !pinned.hosts.includes(hostId)) {
    return { status: 'untrusted-for-host', writer: pinned.writer, keyId, message: `The snapshot claims to come from ${hostName}, but its writer ${pinned.writer} is trusted only for ${pinned.hosts.length ? 'other hosts' : 'no host'}.` };
  }
  return { status: 'trusted', writer: pinned.writer, keyId, message: `Signed by ${pinned.writer}.` };
}
