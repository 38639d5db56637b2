/**
 * Retention of a cluster's archive (docs/pitr.md): the newest `keepBases` base backups are kept,
 * with every WAL segment from the start of the oldest of them on; older base backups and the
 * segments only they needed are deleted. The order keeps the archive readable at every moment:
 * a base backup's record goes before its tar (it disappears at once, as a pruned snapshot's
 * manifest does), and the segments go only after a list without them has replaced the lists that
 * named them. Whatever an interruption leaves is unreferenced data, never a window with a hole.
 */
import { parseLsn, parseSegmentName, segmentOf } from '../../../shared/wal.js';
import { writeJsonObject, type RepositoryBackend } from '../repository/index.js';
import type { ManifestSigner } from '../signing/index.js';
import { baseBackupPrefix, signPitrRecord, walListPrefix, type BaseBackupRecord, type ClusterArchive, type WalSegmentEntry } from './archive-records.js';

export interface ArchivePruned {
  bases: string[];
  segments: string[];
}

/** Which base backups and segments `keepBases` lets go; pure. */
export function archiveToPrune(a: Pick<ClusterArchive, 'bases' | 'segments'>, keepBases: number): { bases: BaseBackupRecord[]; segments: WalSegmentEntry[] } {
  const newestFirst = [...a.bases].sort((x, y) => y.endedAt.localeCompare(x.endedAt));
  const kept = newestFirst.slice(0, Math.max(1, keepBases));
  const oldest = kept[kept.length - 1];
  if (!oldest || newestFirst.length <= kept.length) return { bases: [], segments: [] };
  const from = segmentOf(parseLsn(oldest.startLsn), oldest.timeline);
  const segments = [...a.segments.values()].filter((s) => {
    const seg = parseSegmentName(s.name);
    return !!seg && (seg.timeline < from.timeline || (seg.timeline === from.timeline && seg.index < from.index));
  });
  return { bases: newestFirst.slice(kept.length), segments };
}

export async function pruneArchive(x: {
  backend: RepositoryBackend;
  archive: ClusterArchive;
  keepBases: number;
  signer: ManifestSigner;
  host: { id: string; name: string };
  container: string;
  now?: Date;
  signal?: AbortSignal;
}): Promise<ArchivePruned> {
  const { backend, archive } = x;
  const drop = archiveToPrune(archive, x.keepBases);
  if (!drop.bases.length) return { bases: [], segments: [] };
  const opts = x.signal ? { signal: x.signal } : {};
  for (const b of drop.bases) {
    await backend.deleteObject(`${baseBackupPrefix(archive.cluster)}${b.id}.json`, opts);
    await backend.deleteObject(b.object.key, opts).catch(() => undefined);
  }
  if (drop.segments.length) {
    const gone = new Set(drop.segments.map((s) => s.name));
    const kept = [...archive.segments.values()].filter((s) => !gone.has(s.name)).sort((a, b) => a.name.localeCompare(b.name));
    const at = x.now ?? new Date();
    const list = signPitrRecord({ format: 'hindsight-pitr-wal/1' as const, cluster: archive.cluster, sourceHost: x.host, container: x.container, writtenAt: at.toISOString(), segments: kept }, x.signer);
    await writeJsonObject(backend, `${walListPrefix(archive.cluster)}${at.toISOString().replace(/[:.]/g, '')}-pruned.json`, list, opts);
    for (const key of archive.lists) await backend.deleteObject(key, opts).catch(() => undefined);
    for (const s of drop.segments) await backend.deleteObject(s.object.key, opts).catch(() => undefined);
  }
  return { bases: drop.bases.map((b) => b.id), segments: drop.segments.map((s) => s.name) };
}
