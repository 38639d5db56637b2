/**
 * Snapshots (ARCHITECTURE §4): the manifest — the open, documented record of one backup — and the
 * backup sets that produce them. The manifest is written LAST: a snapshot exists only once its
 * manifest is there. Everything a user needs to restore by hand (object keys, compression,
 * encryption, checksums) is in it, in plain JSON.
 */
import { z } from 'zod';

export const SourceKind = z.enum(['volume', 'postgres', 'mariadb', 'mongo', 'directory']);
export type SourceKind = z.infer<typeof SourceKind>;

export const Compression = z.enum(['zstd', 'gzip']);
export type Compression = z.infer<typeof Compression>;

/** "none", or the age format with a passphrase (scrypt) or with X25519 recipients. */
export const EncryptionKind = z.enum(['none', 'age-passphrase', 'age-recipients']);
export type EncryptionKind = z.infer<typeof EncryptionKind>;

const sourceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a source name: letters, digits, ".", "_" or "-"');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const hostId = z.string().min(1).max(128);

/**
 * A volume backed up in GNU tar listed-incremental levels (ARCHITECTURE §9): level 0 is a full copy,
 * each later level what changed since the one before (deletions included). A new chain begins —
 * a full level — once the chain is `days` old or holds `levels` levels, whichever comes first.
 */
export const IncrementalSpec = z.object({
  fullEvery: z
    .object({
      days: z.number().int().min(1).max(366).optional(),
      levels: z.number().int().min(2).max(1000).optional(),
    })
    .default({ days: 7 }),
});
export type IncrementalSpec = z.infer<typeof IncrementalSpec>;

/** What to back up on the set's host. */
export const SourceSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('volume'), name: sourceName.optional(), volume: z.string().min(1).max(255), incremental: IncrementalSpec.optional() }),
  z.object({
    kind: z.literal('postgres'),
    name: sourceName.optional(),
    container: z.string().min(1).max(255),
    /** dumpall: every database + roles as SQL (psql restores it); database: `pg_dump -Fc` of one. */
    mode: z.enum(['dumpall', 'database']).default('dumpall'),
    database: z.string().min(1).max(63).optional(),
    user: z.string().min(1).max(63).default('postgres'),
  }),
  z.object({ kind: z.literal('mariadb'), name: sourceName.optional(), container: z.string().min(1).max(255) }),
  z.object({ kind: z.literal('mongo'), name: sourceName.optional(), container: z.string().min(1).max(255) }),
  z.object({
    kind: z.literal('directory'),
    name: sourceName.optional(),
    container: z.string().min(1).max(255),
    path: z.string().min(1).max(4096).regex(/^\//, 'an absolute path inside the container'),
  }),
]);
export type SourceSpec = z.infer<typeof SourceSpec>;

export const BackupSetInput = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-"'),
  hostId,
  repositoryId: z.string().min(1).max(128),
  sources: z.array(SourceSpec).min(1).max(100),
  compression: Compression.default('zstd'),
  encryption: EncryptionKind.default('none'),
  /** For age-recipients: public keys ("age1…"). The passphrase for age-passphrase is a secret, kept apart. */
  recipients: z.array(z.string().regex(/^age1[0-9a-z]+$/)).max(20).default([]),
  /** Stop the containers that use a volume while it is copied, and start them again whatever happens. */
  stopContainers: z.boolean().default(false),
  tags: z.array(z.string().min(1).max(64)).max(20).default([]),
});
export type BackupSetInput = z.input<typeof BackupSetInput>;

export const BackupSet = BackupSetInput.extend({ id: z.string(), createdAt: z.string() });
export type BackupSet = z.infer<typeof BackupSet>;

/** Where the data came from, in words a person can check. */
export const SourceOrigin = z.object({
  hostId,
  hostName: z.string(),
  container: z.string().optional(),
  image: z.string().optional(),
  volume: z.string().optional(),
  database: z.string().optional(),
  path: z.string().optional(),
  /** e.g. "PostgreSQL 15.18" — compared with the target at restore (pre-flight). */
  engineVersion: z.string().optional(),
});
export type SourceOrigin = z.infer<typeof SourceOrigin>;

/** A stored object and what checks it: where it is, how it is stored, its sizes and checksums. */
const StoredObject = z.object({
  /** data/<snapshot-id>/<source>.<ext>: .tar.zst, .tar.gz, .sql.zst, .dump.zst, .archive.zst (+ .age). */
  objectKey: z.string(),
  compression: Compression,
  encryption: EncryptionKind,
  rawBytes: z.number().int().nonnegative(),
  storedBytes: z.number().int().nonnegative(),
  rawSha256: sha256,
  storedSha256: sha256,
});

/** One earlier level of an incremental chain: everything a restore needs to fetch and check it. */
export const ChainLink = StoredObject.extend({
  snapshotId: z.string().min(1).max(200),
  level: z.number().int().nonnegative(),
});
export type ChainLink = z.infer<typeof ChainLink>;

export const ManifestSource = z.object({
  name: sourceName,
  kind: SourceKind,
  origin: SourceOrigin,
  ...StoredObject.shape,
  /** What the raw stream is: a tar of the volume/directory root, SQL text, pg_dump custom format, a mongodump archive. */
  format: z.enum(['tar', 'sql', 'pg-custom', 'mongo-archive']),
  /** Volumes/directories: entries in the tar (files, dirs, links) and the sum of file sizes. */
  fileCount: z.number().int().nonnegative().optional(),
  fileBytes: z.number().int().nonnegative().optional(),
  /** index/<snapshot-id>/<source>.files.jsonl.zst when a file index was written. */
  indexKey: z.string().optional(),
  /** Databases: exact row counts per table ("schema.table") taken at dump time. */
  rowCounts: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /**
   * A whole-cluster dump (PostgreSQL dumpall): the same exact counts per database —
   * {"<database>": {"<table>": n}}, templates excepted. (`rowCounts` is then absent: it is always
   * the counts of the one database `origin.database` names.)
   */
  databaseRowCounts: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())).optional(),
  /**
   * A level of a GNU tar listed-incremental chain (volumes): this source's object holds what changed
   * since level − 1, and `chain` lists the levels it builds on, level 0 first — a restore extracts
   * them in that order, then this one. Their checksums are here, under this manifest's signature.
   * `fileCount` then counts the whole tree at this level; `fileBytes` is absent beyond level 0.
   */
  incremental: z
    .object({
      level: z.number().int().nonnegative(),
      chain: z.array(ChainLink).max(1000),
      /**
       * The digest of the tree at this level — every entry its directory listings name, by path and
       * whether it is a directory (docs: order-free, the sum of SHA-256("<d|-> <path>") mod 2^256).
       * A restore lists the target and must find the same. Absent when GNU tar said files changed
       * while it read them (the listing may then not match what it stored).
       */
      treeDigest: sha256.optional(),
    })
    .optional(),
  startedAt: z.string(),
  completedAt: z.string(),
});
export type ManifestSource = z.infer<typeof ManifestSource>;

/**
 * The writer's Ed25519 signature over the manifest's canonical bytes (docs/format.md: every member
 * but `signature`, keys sorted, no whitespace, after the line "hindsight-manifest-v1\n").
 */
export const ManifestSignature = z.object({
  algorithm: z.literal('ed25519'),
  /** "SHA256:<base64>" of the raw public key: which pinned writer key checks it. */
  keyId: z.string().max(100),
  /** Who wrote it, in words ("console@laptop", "agent@production"). Informative: trust goes by keyId. */
  writer: z.string().max(200),
  value: z.string().max(200),
});
export type ManifestSignature = z.infer<typeof ManifestSignature>;

/** Whether a manifest may be used: signed by a writer this console trusts for the snapshot's host. */
export const SnapshotTrust = z.object({
  status: z.enum(['trusted', 'unsigned', 'bad-signature', 'unknown-writer', 'untrusted-for-host']),
  writer: z.string().optional(),
  keyId: z.string().optional(),
  /** In plain words, for the UI and the CLI. */
  message: z.string(),
});
export type SnapshotTrust = z.infer<typeof SnapshotTrust>;

export const Manifest = z.object({
  format: z.literal('hindsight/1'),
  id: z.string(),
  set: z.string(),
  sourceHost: z.object({ id: hostId, name: z.string() }),
  startedAt: z.string(),
  completedAt: z.string(),
  tags: z.array(z.string()),
  note: z.string().optional(),
  toolVersion: z.string(),
  sources: z.array(ManifestSource).min(1),
  signature: ManifestSignature.optional(),
});
export type Manifest = z.infer<typeof Manifest>;
