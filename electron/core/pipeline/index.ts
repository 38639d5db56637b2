/**
 * The data pipeline (ARCHITECTURE §5): one implementation for backup and restore, plus the tar
 * guard of §6 step 5. Plain Node, no Electron, no Docker, no repository: callers bring a source
 * and a sink. See README.md in this folder for the design and the figures.
 */
export { runPipeline, type PipelineSink, type RunPipelineOptions, type RunPipelineResult } from './run-pipeline.js';
export {
  storedSuffix,
  type CompressionSpec,
  type Direction,
  type EncryptionSpec,
  type ExpectedMeasures,
  type PipelineProgress,
  type PipelineResult,
  type ProgressReport,
  type StreamMeasure,
} from './types.js';
export {
  IntegrityError,
  isIntegrityError,
  isUnsafeArchiveError,
  MalformedArchiveError,
  UnsafeArchiveError,
} from './errors.js';
export { TarGuard, type FileIndexEntry, type TarGuardOptions, type TarProblem, type TarSummary } from './tar-guard.js';
export { EntryPolicy, type EntryKind } from './tar-policy.js';
export { linksReplacedBy } from './tar-chain.js';

// The stages, for callers that assemble something else (a verify that only hashes, say).
export { createCompressor, createDecompressor, DEFAULT_CHUNK_BYTES, LOCAL_CHUNK_BYTES } from './compression.js';
export { createDecryptStage, createEncryptStage } from './age.js';
export { DEFAULT_WORK_FACTOR, MAX_WORK_FACTOR } from './age-scrypt.js';
export { HashMeter } from './hash-meter.js';
export { ProgressMeter } from './progress-meter.js';
export { ZstdFrameCheck } from './zstd-frames.js';
export { Coalescer } from './coalescer.js';
export { BufferPool } from './buffer-pool.js';
export { Handoff, sliced } from './scheduling.js';
export { TreeDigest, digestListing } from './tree-digest.js';
export { renamesOf, type DumpdirRecord } from './tar-dumpdir.js';
