/**
 * What a PostgreSQL cluster's continuous archive is made of in the repository (docs/pitr.md), and
 * how it is read back:
 *   pitr/<cluster>/base/<id>.tar.zst   a base backup (pg_basebackup -Ft), data only
 *   pitr/<cluster>/base/<id>.json      its record (WAL range, timeline, end time), signed, written last
 *   pitr/<cluster>/wal/<segment>.zst   a WAL segment as pg_receivewal wrote it (data only)
 *   pitr/<cluster>/wal/<segment>.partial.<ms>.zst  the segment being written, as of <ms>
 *   pitr/<cluster>/wal/lists/<time>-<rand>.json    signed lists of segments with their checksums
 * Segments and tars are data; a restore trusts only what a record or a list signed by a writer
 * pinned for the cluster's host says about them (the same trust as a manifest's, with its own
 * signing domain so a list can never pass for a manifest or the reverse).
 */
import { z } from 'zod';
import { recoverableWindows, type ArchivedSegment, type RecoverableWindow, parseLsn } from '../../../shared/wal.js';
import { listKeys, readSmallObject, type RepositoryBackend } from '../repository/index.js';
import { checkManifest, signManifest, type ManifestSigner, type TrustedWriters } from '../signing/index.js';

export const PITR_PREFIX = 'pitr/';
export const PITR_DOMAIN = 'hindsight-pitr-v1\n';

const lsn = z.string().regex(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Cluster = z.string().regex(/^\d{1,20}$/);
const SourceHost = z.object({ id: z.string().min(1).max(128), name: z.string().min(1).max(255) });
const Signature = z.object({ algorithm: z.literal('ed25519'), keyId: z.string(), writer: z.string(), value: z.string() });
export const StoredPitrObject = z.object({ key: z.string().max(1024), compression: z.literal('zstd'), rawBytes: z.number().int().nonnegative(), storedBytes: z.number().int().nonnegative(), rawSha256: sha256, storedSha256: sha256 });
export type StoredPitrObject = z.infer<typeof StoredPitrObject>;

export const BaseBackupRecord = z.object({
  format: z.literal('hindsight-pitr-base/1'),
  id: z.string().max(200),
  /** PostgreSQL's system identifier: one cluster, whatever its container is called. */
  cluster: Cluster,
  sourceHost: SourceHost,
  container: z.string().max(255),
  image: z.string().max(512),
  /** server_version_num ("150010"): a recovery runs on a server of the same major version. */
  serverVersion: z.string().regex(/^\d{5,6}$/),
  timeline: z.number().int().positive(),
  startLsn: lsn,
  endLsn: lsn,
  startedAt: z.string(),
  /** The earliest moment a recovery from this backup can stop at. */
  endedAt: z.string(),
  object: StoredPitrObject,
  signature: Signature.optional(),
});
export type BaseBackupRecord = z.infer<typeof BaseBackupRecord>;

export const SEGMENT_NAME = /^[0-9A-F]{24}$/;
export const WalSegmentEntry = z.object({
  /** The segment's file name (24 hex digits). */
  name: z.string().regex(SEGMENT_NAME),
  /** The segment as far as it was written at `receivedAt` (pg_receivewal's .partial file). */
  partial: z.boolean(),
  /** When the archiver had it this far (the file's modification time): every change in it happened before. */
  receivedAt: z.string(),
  object: StoredPitrObject,
});
export type WalSegmentEntry = z.infer<typeof WalSegmentEntry>;

export const WalList = z.object({
  format: z.literal('hindsight-pitr-wal/1'),
  cluster: Cluster,
  sourceHost: SourceHost,
  container: z.string().max(255),
  writtenAt: z.string(),
  segments: z.array(WalSegmentEntry).max(100_000),
  signature: Signature.optional(),
});
export type WalList = z.infer<typeof WalList>;

export const clusterPrefix = (cluster: string) => `${PITR_PREFIX}${cluster}/`;
export const baseBackupPrefix = (cluster: string) => `${clusterPrefix(cluster)}base/`;
export const walPrefix = (cluster: string) => `${clusterPrefix(cluster)}wal/`;
export const walListPrefix = (cluster: string) => `${walPrefix(cluster)}lists/`;

export function signPitrRecord<T extends BaseBackupRecord | WalList>(record: T, signer: ManifestSigner): T {
  return signManifest(record, signer, PITR_DOMAIN);
}

/** The clusters that have an archive in the repository. */
export async function archivedClusters(backend: RepositoryBackend, signal?: AbortSignal): Promise<string[]> {
  const keys = await listKeys(backend, PITR_PREFIX, signal ? { signal } : {});
  return [...new Set(keys.map((k) => k.slice(PITR_PREFIX.length).split('/')[0]!).filter((c) => Cluster.safeParse(c).success))].sort();
}

export interface ClusterArchive {
  cluster: string;
  /** Trusted base backups, newest first. */
  bases: BaseBackupRecord[];
  /** The newest trusted entry of each segment: a whole segment wins over a partial one. */
  segments: Map<string, WalSegmentEntry>;
  /** The list objects read (their keys), for compaction. */
  lists: string[];
  /** What was left out and why (an unsigned or untrusted record, a broken list). */
  problems: string[];
}

async function readTrusted<S extends z.ZodType>(backend: RepositoryBackend, key: string, schema: S, trusted: TrustedWriters, signal?: AbortSignal): Promise<z.output<S>> {
  const raw: unknown = JSON.parse((await readSmallObject(backend, key, signal ? { signal } : {})).toString('utf8'));
  const trust = await checkManifest(raw, trusted, PITR_DOMAIN);
  if (trust.status !== 'trusted') throw new Error(trust.message.replace('The snapshot', 'It'));
  return schema.parse(raw);
}

/** Everything trusted about one cluster's archive. */
export async function readClusterArchive(backend: RepositoryBackend, cluster: string, trusted: TrustedWriters, signal?: AbortSignal): Promise<ClusterArchive> {
  const problems: string[] = [];
  const bases: BaseBackupRecord[] = [];
  for (const key of (await listKeys(backend, baseBackupPrefix(cluster), signal ? { signal } : {})).filter((k) => k.endsWith('.json'))) {
    try {
      const r = await readTrusted(backend, key, BaseBackupRecord, trusted, signal);
      if (r.cluster !== cluster || !r.object.key.startsWith(baseBackupPrefix(cluster))) throw new Error('it names another cluster');
      bases.push(r);
    } catch (e) {
      problems.push(`${key} left out: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  bases.sort((a, b) => b.endedAt.localeCompare(a.endedAt));
  const segments = new Map<string, WalSegmentEntry>();
  const lists = (await listKeys(backend, walListPrefix(cluster), signal ? { signal } : {})).filter((k) => k.endsWith('.json'));
  for (const key of lists) {
    try {
      const list = await readTrusted(backend, key, WalList, trusted, signal);
      if (list.cluster !== cluster) throw new Error('it names another cluster');
      for (const s of list.segments) {
        if (!s.object.key.startsWith(walPrefix(cluster))) throw new Error(`segment ${s.name} is stored outside the cluster's archive`);
        const had = segments.get(s.name);
        if (!had || (had.partial && (!s.partial || s.receivedAt > had.receivedAt))) segments.set(s.name, s);
      }
    } catch (e) {
      problems.push(`${key} left out: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { cluster, bases, segments, lists, problems };
}

/** The recoverable windows of an archive, newest base backup first (shared/wal.ts). */
export function windowsOf(a: Pick<ClusterArchive, 'bases' | 'segments'>): RecoverableWindow[] {
  const archived: ArchivedSegment[] = [...a.segments.values()].map((s) => ({ name: s.name, receivedAt: new Date(s.receivedAt) }));
  return recoverableWindows(
    a.bases.map((b) => ({ id: b.id, timeline: b.timeline, startLsn: parseLsn(b.startLsn), endLsn: parseLsn(b.endLsn), endedAt: new Date(b.endedAt) })),
    archived,
  );
}
