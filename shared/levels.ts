/**
 * Incremental chains (ARCHITECTURE §9): the objects of a volume source backed up in GNU tar
 * listed-incremental levels, in the order a restore extracts them — the levels its manifest lists
 * (level 0 first), then its own object.
 */
import type { ChainLink, IncrementalSpec, ManifestSource, SourceSpec } from './contract/snapshots.js';

/** The source backed up in levels when its kind can be (volumes); any other source as it is. */
export function withLevels(spec: SourceSpec, incremental: IncrementalSpec | undefined): SourceSpec {
  return spec.kind === 'volume' && incremental ? { ...spec, incremental } : spec;
}

/** Whether a source's kind is backed up in levels when asked (the CLI's and the plan dialog's offer). */
export function takesLevels(spec: SourceSpec): boolean {
  return spec.kind === 'volume';
}

/** A level beyond 0 of a chain: restored level by level from level 0 (restore-levels.ts), never as one object. */
export function isLaterLevel(src: Pick<ManifestSource, 'incremental'>): boolean {
  return !!src.incremental && src.incremental.level > 0;
}

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
