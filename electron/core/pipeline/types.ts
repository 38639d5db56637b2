/**
 * The vocabulary of the data pipeline (ARCHITECTURE §5): how a stream is compressed and encrypted,
 * what a run reports while it goes and what it measured at the end. Plain data, so a manifest, the
 * contract and a future helper container running this same code can all carry it.
 */

export type Direction = 'backup' | 'restore';

/**
 * zstd is the default: several times faster than gzip at a better ratio. gzip is there for
 * compatibility with hosts that lack zstd; 'none' for data that is already compressed.
 */
export type CompressionSpec =
  | { kind: 'zstd'; /** 1..19 (default 3, zstd's own default) */ level?: number }
  | { kind: 'gzip'; /** 1..9 (default 6, gzip's own default) */ level?: number }
  | { kind: 'none' };

/**
 * Encryption in the age format (age-encryption.org/v1), so `age -d` opens a stored object without
 * Hindsight. One spec serves both directions:
 * - passphrase: the same passphrase encrypts and decrypts (scrypt, like `age -p`);
 * - recipients: backup encrypts to `recipients` (age1…), restore decrypts with `identities`
 *   (AGE-SECRET-KEY-1…). Given identities only, a backup encrypts to their public keys.
 */
export type EncryptionSpec =
  | { kind: 'none' }
  | {
      kind: 'passphrase';
      passphrase: string;
      /** log2 of scrypt's N when encrypting; default 18 like `age -p` (it costs 256 MiB for ~1 s). */
      workFactor?: number;
    }
  | { kind: 'recipients'; recipients?: string[]; identities?: string[] };

/** What a stream measured: its length and the sha256 of its bytes (lowercase hex), unless only counted. */
export interface StreamMeasure {
  bytes: number;
  sha256?: string;
}

export interface PipelineResult {
  /**
   * The uncompressed, unencrypted stream: the tar or dump as the host produced it. Its sha256 is
   * always there on backup; on a restore checked against the stored sha256 it is not computed
   * (run-pipeline.ts): undefined.
   */
  rawBytes: number;
  rawSha256?: string;
  /** The object as kept in the repository (compressed, maybe encrypted). */
  storedBytes: number;
  storedSha256: string;
  elapsedMs: number;
}

/** What the manifest knows about an object, checked during a restore. */
export interface ExpectedMeasures {
  rawBytes?: number;
  rawSha256?: string;
  storedBytes?: number;
  storedSha256?: string;
}

/**
 * One progress report, at most ~10 a second. `bytesDone` counts what was read from the source
 * (raw bytes for a backup, stored bytes for a restore), because that is the side whose total is
 * known: the manifest's storedBytes on restore, a size estimate of the volume on backup.
 * The field names match the contract's task progress event (bytesDone, bytesTotal, fraction).
 */
export interface ProgressReport {
  bytesDone: number;
  bytesTotal?: number;
  /** 0..1 when the total is known, else null. */
  fraction: number | null;
  /** Over a sliding window of a few seconds, so a stall shows as a falling rate. */
  bytesPerSecond: number;
  /** Seconds left at the current rate, when the total is known and data is moving. */
  etaSeconds: number | null;
  elapsedMs: number;
  /** True once, on the last report, after the source ended. */
  done: boolean;
}

export interface PipelineProgress extends ProgressReport {
  direction: Direction;
  /** Raw and stored bytes that have gone through their hash meters so far. */
  rawBytes: number;
  storedBytes: number;
}

/** The suffix of a stored object for a base name: ".zst", ".gz", plus ".age" when encrypted. */
export function storedSuffix(compression: CompressionSpec, encryption: EncryptionSpec): string {
  const c = compression.kind === 'zstd' ? '.zst' : compression.kind === 'gzip' ? '.gz' : '';
  return c + (encryption.kind === 'none' ? '' : '.age');
}
