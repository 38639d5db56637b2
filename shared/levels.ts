/**
 * Incremental chains (ARCHITECTURE §9): the objects of a volume source backed up in GNU tar
 * listed-incremental levels, in the order a restore extracts them — the levels its manifest lists
 * (level 0 first), then its own object.
 */
import type { ChainLink, ManifestSource } from './contract/snapshots.js';

export function levelsOf(src: ManifestSource): ChainLink[] {
  const self: ChainLink = {
    snapshotId: '(this snapshot)',
    level: src.incremental?.level ?? 0,
    objectKey: src.objectKey,
    compression: src.compression,
    encryption: src.encryption,
    rawBytes: src.rawBytes,
    storedBytes: src.storedBytes,
    rawSha256: src.rawSha256,
    storedSha256: src.storedSha256,
  };
  return [...(src.incremental?.chain ?? []), self];
}
