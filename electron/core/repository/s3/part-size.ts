/**
 * Multipart part sizes (issue 10 item 4): S3 takes at most 10,000 parts per object, each at least
 * 5 MiB (but the last) and at most 5 GiB. With fixed 8 MiB parts an object could not pass 78 GiB —
 * a 757 GiB database dump failed at part 10,001. lib-storage uploads every part of an object at
 * one size, chosen before the first byte, so the caller's idea of the size decides it: the object
 * fits in the parts with a quarter to spare, rounded up to a MiB (a 5 TiB object: 656 MiB parts).
 * An object whose size is known and fits in parts of the configured size goes through lib-storage
 * with them; any other — size unknown, or larger — through parts that grow as it does
 * (growing-upload.ts: 10,000 of them hold 8 TiB from 8 MiB, memory stays at the configured size,
 * larger parts are staged on disk). One that outgrows its parts anyway is stopped with a clear
 * error before S3 would refuse part 10,001 after hours. `partSizeFor` says whether a known size
 * fits the configured parts.
 */
export const MAX_PARTS = 10_000;
const MiB = 1 << 20;
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PART_BYTES = 5 * 1024 * MiB;

/** The part size for an object of about `expectedBytes` (undefined: unknown). */
export function partSizeFor(expectedBytes: number | undefined, configured: number, maxParts = MAX_PARTS): number {
  const base = Math.max(MIN_PART_BYTES, configured);
  if (expectedBytes === undefined || !Number.isFinite(expectedBytes) || expectedBytes <= 0) return base;
  const needed = Math.ceil((expectedBytes * 1.25) / maxParts / MiB) * MiB;
  return Math.min(MAX_PART_BYTES, Math.max(base, needed));
}

/** Why an upload stopped: it outgrew the `most` bytes its `maxParts` parts can hold. */
export function tooManyPartsMessage(key: string, most: number, maxParts: number, growing: boolean): string {
  const size = most >= 1024 * MiB ? `${(most / (1024 * MiB)).toFixed(1)} GiB` : `${Math.round(most / MiB)} MiB`;
  return `${key} grew past ${size}, the most ${maxParts} ${growing ? 'growing parts' : 'parts'} can hold (S3's limit): it was stopped before S3 refused it.`;
}
