/**
 * Backups and browsing (ARCHITECTURE §4–§5): the `backupSets` domain (saved backup sets; an age
 * passphrase is a write-only input kept in a 0600 secrets file), the `backup` domain (one backup
 * run as a task) and the `snapshots` domain (list by date, read a manifest, "as of <date>").
 */
import { z } from 'zod';
import { event, invoke, task } from './define.js';
import { BackupSet, BackupSetInput, Compression, EncryptionKind, Manifest, SnapshotTrust, SourceKind, SourceSpec } from './snapshots.js';

export * from './snapshots.js';

const id = z.string().min(1).max(128);
const setName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-"');

/** A backup set as the UI sees it: never the passphrase, only whether one is stored. */
export const BackupSetView = BackupSet.extend({ hasPassphrase: z.boolean() });
export type BackupSetView = z.infer<typeof BackupSetView>;

/** backupSets.add: the set, plus the age passphrase (write-only) when encryption is age-passphrase. */
export const BackupSetAddInput = BackupSetInput.extend({ passphrase: z.string().min(1).max(1024).optional() });
export type BackupSetAddInput = z.input<typeof BackupSetAddInput>;

/** An ad-hoc backup: what a set would say, given on the spot (the CLI's --host/--volume/--postgres/--repo). */
export const AdHocBackup = z.object({
  hostId: id,
  repositoryId: id,
  sources: z.array(SourceSpec).min(1).max(100),
  /** The set name the snapshot is filed under (default: the host's name, made safe). */
  set: setName.optional(),
  compression: Compression.default('zstd'),
  stopContainers: z.boolean().default(false),
  tags: z.array(z.string().min(1).max(64)).max(20).default([]),
  note: z.string().max(2000).optional(),
});
export type AdHocBackup = z.input<typeof AdHocBackup>;

export const BackupRunInput = z.union([z.object({ setId: id, note: z.string().max(2000).optional() }).strict(), AdHocBackup.strict()]);
export type BackupRunInput = z.input<typeof BackupRunInput>;

/** One source of a finished backup, in short. */
export const BackupSourceSummary = z.object({
  name: z.string(),
  kind: z.string(),
  objectKey: z.string(),
  rawBytes: z.number(),
  storedBytes: z.number(),
  fileCount: z.number().optional(),
  rowCounts: z.record(z.string(), z.number()).optional(),
  databaseRowCounts: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  /** A volume backed up in incremental levels: which one this is (0 = full). */
  level: z.number().optional(),
  seconds: z.number(),
});
export const BackupResult = z.object({
  snapshotId: z.string(),
  manifestKey: z.string(),
  set: z.string(),
  startedAt: z.string(),
  completedAt: z.string(),
  rawBytes: z.number(),
  storedBytes: z.number(),
  sources: z.array(BackupSourceSummary),
});
export type BackupResult = z.infer<typeof BackupResult>;

/** A snapshot found by listing: from its manifest key alone (no manifest is read). */
export const SnapshotRefView = z.object({ id: z.string(), set: z.string(), time: z.string(), manifestKey: z.string() });
export type SnapshotRefView = z.infer<typeof SnapshotRefView>;

/** A date as an ISO string, or natural language ("1 hour ago", "yesterday 18:00", "last friday"). */
const when = z.string().min(1).max(200);

export const SnapshotsListInput = z.object({
  repositoryId: id,
  set: setName.optional(),
  from: when.optional(),
  to: when.optional(),
  /** IANA zone for natural-language dates ("Europe/Paris"); default the backend's zone. */
  timeZone: z.string().max(64).optional(),
});

/** What "as of" picked for one source of one set. */
export const SourcePick = z.object({
  source: z.string(),
  snapshotId: z.string(),
  /** When the source's copy began (its data is from then). */
  startedAt: z.string(),
  completedAt: z.string(),
});
export type SourcePick = z.infer<typeof SourcePick>;

export const SetPick = z.object({
  set: z.string(),
  /** The newest snapshot of the set at or before the date. */
  snapshot: SnapshotRefView,
  /** Per source: from that snapshot, or from an older one when that snapshot did not hold it. */
  sources: z.array(SourcePick),
  /** Sources the set names that no snapshot at or before the date holds. */
  missing: z.array(z.string()),
  /** Largest distance between the sources' times, in seconds. */
  spreadSeconds: z.number(),
  warnings: z.array(z.string()),
});
export type SetPick = z.infer<typeof SetPick>;

export const AsOfResult = z.object({
  /** The instant the date meant (ISO, UTC). */
  at: z.string(),
  /** How the text was read, e.g. "last friday 18:00 → 2026-11-20T17:00:00.000Z (Europe/Paris)". */
  interpretation: z.string(),
  sets: z.array(SetPick),
  warnings: z.array(z.string()),
});
export type AsOfResult = z.infer<typeof AsOfResult>;

/**
 * A snapshot as the timeline draws it: what its manifest says, in short. Manifests never change, so
 * the backend caches them; the timeline asks for summaries a day range at a time.
 */
export const SnapshotSummary = SnapshotRefView.extend({
  repositoryId: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  startedAt: z.string(),
  completedAt: z.string(),
  sources: z.array(z.object({ name: z.string(), kind: SourceKind, rawBytes: z.number(), storedBytes: z.number() })),
  rawBytes: z.number(),
  storedBytes: z.number(),
  tags: z.array(z.string()),
  note: z.string().optional(),
  encryption: EncryptionKind,
  /** The newest recorded verification (verify/<id>/…), or null when never verified. */
  verification: z.object({ ok: z.boolean(), at: z.string(), hostName: z.string(), error: z.string().optional() }).nullable(),
});
export type SnapshotSummary = z.infer<typeof SnapshotSummary>;

export const SnapshotSummariesInput = SnapshotsListInput.extend({
  /** At most this many, oldest first from `from`; `truncated` says when more are in the range. */
  limit: z.number().int().min(1).max(5_000).default(2_000),
});
export const SnapshotSummaries = z.object({ items: z.array(SnapshotSummary), truncated: z.boolean() });
export type SnapshotSummaries = z.infer<typeof SnapshotSummaries>;

/** One entry of a directory in a volume snapshot's file index. */
export const FileEntryView = z.object({
  name: z.string(),
  /** Relative to the volume root, no leading "./" or "/". */
  path: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'hardlink', 'fifo', 'char', 'block']),
  size: z.number(),
  mode: z.number(),
  mtime: z.number(),
  uid: z.number(),
  gid: z.number(),
  linkname: z.string().optional(),
  /** Directories: how many entries are directly inside. */
  children: z.number().optional(),
});
export type FileEntryView = z.infer<typeof FileEntryView>;

export const SnapshotFilesInput = z.object({
  repositoryId: id,
  snapshotId: z.string().min(1).max(200),
  source: z.string().min(1).max(128),
  /** A directory relative to the root ("" = the root). */
  dir: z.string().max(4096).default(''),
  limit: z.number().int().min(1).max(10_000).default(2_000),
});
export const SnapshotFiles = z.object({ dir: z.string(), entries: z.array(FileEntryView), total: z.number(), truncated: z.boolean() });
export type SnapshotFiles = z.infer<typeof SnapshotFiles>;

export const backupSetsContract = {
  list: invoke(z.object({}).strict().default({}), z.array(BackupSetView)),
  add: invoke(BackupSetAddInput, BackupSetView),
  remove: invoke(z.object({ id }), z.object({ removed: z.boolean() })),
} as const;

/** A thing on a host worth backing up, found by looking at its containers and volumes. */
export const DiscoveredSource = z.object({
  spec: SourceSpec,
  /** In words: "volume shop_files (used by shop-app-1)", "PostgreSQL in shop-db-1 (all databases)". */
  label: z.string(),
  /** Why it was suggested: "image postgres:15", "named volume of stack shop". */
  reason: z.string(),
  /** The compose project it belongs to, when it does. */
  stack: z.string().optional(),
  /** Containers that use it (a volume) or are it (a database). */
  containers: z.array(z.string()),
  /** A database's data volume is better backed up through its dump: suggested, but not ticked by default. */
  recommended: z.boolean(),
});
export type DiscoveredSource = z.infer<typeof DiscoveredSource>;

export const backupContract = {
  /** What could be backed up on a host (optionally one compose stack): volumes and database containers. */
  discover: invoke(z.object({ hostId: id, stack: z.string().max(255).optional() }), z.array(DiscoveredSource)),
  /** Back up a saved set ({setId}) or an ad-hoc spec; progress per source, log lines; the manifest is written last. */
  run: task(BackupRunInput, BackupResult),
} as const;

export const snapshotsContract = {
  /** Snapshots taken in [from, to] (default: all), oldest first — only the day prefixes needed are listed. */
  list: invoke(SnapshotsListInput, z.array(SnapshotRefView)),
  get: invoke(z.object({ repositoryId: id, id: z.string().min(1).max(200) }), Manifest),
  /** Who signed the snapshot, and whether this console trusts that writer for its host (signing/). */
  trust: invoke(z.object({ repositoryId: id, id: z.string().min(1).max(200) }), SnapshotTrust),
  /** The newest snapshot at or before `when`, per backup set and per source. */
  asOf: invoke(
    z.object({ repositoryId: id, set: setName.optional(), when, timeZone: z.string().max(64).optional() }),
    AsOfResult,
  ),
  /** Manifest summaries of the snapshots in [from, to], oldest first (manifests cached by the backend). */
  summaries: invoke(SnapshotSummariesInput, SnapshotSummaries),
  /** One directory of a volume/directory source's file index. NOT_FOUND when the snapshot has no index. */
  files: invoke(SnapshotFilesInput, SnapshotFiles),
  /** A snapshot was written or verified in a repository: refetch what shows it. */
  onChanged: event(z.object({ repositoryId: z.string(), snapshotId: z.string() })),
} as const;
