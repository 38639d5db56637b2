/**
 * The one way core code reads a manifest it is about to use: read, check the signature on the
 * object exactly as stored, then parse. Restore, verify, the file index and "as of" all go through
 * here (ARCHITECTURE §4: nothing is restored, verified or browsed from an untrusted manifest unless
 * the user explicitly accepts it).
 */
import { RpcError } from '../../../shared/contract/errors.js';
import { Manifest, type SnapshotTrust } from '../../../shared/contract/snapshots.js';
import { parseSnapshotId } from '../../../shared/snapshot-id.js';
import { manifestKey, parseJsonText, readSmallObject, validateJsonObject, type RepositoryBackend } from '../repository/index.js';
import { checkManifest } from './manifest-signature.js';
import type { TrustedWriters } from './trusted-writers.js';

export interface CheckedManifest {
  manifest: Manifest;
  trust: SnapshotTrust;
}

export async function readCheckedManifest(backend: RepositoryBackend, snapshotId: string, trusted: TrustedWriters, signal?: AbortSignal): Promise<CheckedManifest> {
  if (!parseSnapshotId(snapshotId)) throw new RpcError('INVALID_INPUT', `"${snapshotId}" is not a snapshot id (like 20261121T221530Z-<set>-1a2b).`);
  const key = manifestKey(snapshotId);
  let data: Buffer;
  try {
    data = await readSmallObject(backend, key, signal ? { signal } : {});
  } catch (e) {
    if (RpcError.is(e) && e.code === 'NOT_FOUND') throw new RpcError('NOT_FOUND', `There is no snapshot ${snapshotId} in ${backend.location}.`);
    throw e;
  }
  // Parsed once: the signature is checked on the object as stored, the schema then reads it.
  const raw = parseJsonText(backend, key, data);
  const manifest = validateJsonObject(backend, key, raw, Manifest);
  const trust = await checkManifest(raw, trusted);
  // The id in the manifest must be the one its key says, or a signed manifest could be replayed under another name.
  if (trust.status === 'trusted' && manifest.id !== snapshotId) {
    return { manifest, trust: { ...trust, status: 'bad-signature', message: `The manifest stored as ${snapshotId} is signed for ${manifest.id}.` } };
  }
  return { manifest, trust };
}

/** Refuses (UNTRUSTED, "exit 3") unless the manifest is trusted, or the user accepted it. */
export function requireTrusted(checked: CheckedManifest, what: string, opts: { allowUnsigned?: boolean | undefined } = {}): void {
  if (checked.trust.status === 'trusted' || opts.allowUnsigned) return;
  throw new RpcError(
    'UNTRUSTED',
    `Refused to ${what} ${checked.manifest.id}: ${checked.trust.message} Nothing was touched. To accept it anyway (a snapshot written before signing existed, or copied from elsewhere), restore with --allow-unsigned or confirm it in the wizard; that is written to the audit log.`,
    checked.trust.status,
  );
}
