/** What the tar guard reports: the summary checked against the manifest, and the file index. */
import type { EntryKind } from './tar-policy.js';

/** One line of index/<snapshot>/<source>.files.jsonl */
export interface FileIndexEntry {
  path: string;
  type: EntryKind;
  /** Files: the real (apparent) size, sparse files included; 0 for everything else. */
  size: number;
  mode: number;
  /** Seconds since the epoch; fractional when a pax header says so. */
  mtime: number;
  uid: number;
  gid: number;
  linkname?: string;
}

export interface TarProblem {
  entry: string;
  problem: string;
}

export interface TarSummary {
  entries: number;
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  fifos: number;
  devices: number;
  /** Sum of the files' real sizes. */
  fileBytes: number;
  /** Bytes of the tar stream itself. */
  archiveBytes: number;
  problems: TarProblem[];
  /**
   * With the `holes` option: regular files whose data holds long runs of zeros (paths relative to
   * the archive root) — written out in full by the engine's extractor, to be made sparse again.
   */
  holeCandidates?: string[];
  /**
   * GNU listed-incremental archives (TarGuard's `dumpdirs`): the entries of the whole tree at the
   * time of the level — the root and every name its directories' dumpdirs list, whether this level
   * holds them or an earlier one does.
   */
  listed?: number;
  /** …and the digest of those entries (tree-digest.ts), to check a restored tree against. */
  treeDigest?: string;
  /** More files qualified than the list keeps. */
  holeCandidatesTruncated?: boolean;
}
