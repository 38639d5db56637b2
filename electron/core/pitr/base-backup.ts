/**
 * Point-in-time recovery, its first part (issue 10 item 2, docs/pitr.md): a base backup of a
 * PostgreSQL cluster into the repository — pg_basebackup's tar of the data directory through the
 * one pipeline into `pitr/<system identifier>/base/<id>.tar.zst`, then its record
 * `…/<id>.json` (where the WAL it needs begins and ends, on which timeline, when it ended), written
 * last as a manifest is. The WAL archive and the restore that use it come next (docs/pitr.md).
 */
import { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import { makeSnapshotId } from '../../../shared/snapshot-id.js';
import { parseLsn } from '../../../shared/wal.js';
import type { Engine } from '../docker/engine.js';
import { runPipeline } from '../pipeline/index.js';
import { writeJsonObject, type RepositoryBackend } from '../repository/index.js';
import { openPostgresBaseBackup } from '../sources/postgres.js';

export const PITR_PREFIX = 'pitr/';
const lsn = z.string().regex(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const BaseBackupRecord = z.object({
  format: z.literal('hindsight-pitr-base/1'),
  id: z.string().max(200),
  /** PostgreSQL's system identifier: one cluster, whatever its container is called. */
  cluster: z.string().regex(/^\d{1,20}$/),
  host: z.object({ id: z.string(), name: z.string() }),
  container: z.string(),
  image: z.string(),
  timeline: z.number().int().positive(),
  startLsn: lsn,
  endLsn: lsn,
  startedAt: z.string(),
  /** The earliest moment a recovery from this backup can stop at. */
  endedAt: z.string(),
  object: z.object({ key: z.string(), compression: z.literal('zstd'), rawBytes: z.number(), storedBytes: z.number(), rawSha256: sha256, storedSha256: sha256 }),
});
export type BaseBackupRecord = z.infer<typeof BaseBackupRecord>;

export const baseBackupPrefix = (cluster: string) => `${PITR_PREFIX}${cluster}/base/`;

export async function takeBaseBackup(x: { engine: Engine; container: string; backend: RepositoryBackend; host: { id: string; name: string }; signal?: AbortSignal; now?: () => Date }): Promise<BaseBackupRecord> {
  const now = x.now ?? (() => new Date());
  const startedAt = now();
  const bb = await openPostgresBaseBackup({ engine: x.engine, container: x.container, ...(x.signal ? { signal: x.signal } : {}) });
  const id = makeSnapshotId('base', { now: startedAt });
  const key = `${baseBackupPrefix(bb.systemIdentifier)}${id}.tar.zst`;
  try {
    const r = await runPipeline({
      direction: 'backup',
      source: bb.stream,
      sink: (body) => x.backend.putObject(key, body, x.signal ? { signal: x.signal } : {}),
      compression: { kind: 'zstd' },
      encryption: { kind: 'none' },
      ...(x.signal ? { signal: x.signal } : {}),
    });
    const wal = await bb.walRange();
    if (parseLsn(wal.endLsn) < parseLsn(wal.startLsn)) throw new RpcError('INTERNAL', `pg_basebackup reported its WAL ending (${wal.endLsn}) before it began (${wal.startLsn}).`);
    const record: BaseBackupRecord = {
      format: 'hindsight-pitr-base/1',
      id,
      cluster: bb.systemIdentifier,
      host: x.host,
      container: x.container,
      image: bb.image,
      ...wal,
      startedAt: startedAt.toISOString(),
      endedAt: now().toISOString(),
      object: { key, compression: 'zstd', rawBytes: r.rawBytes, storedBytes: r.storedBytes, rawSha256: r.rawSha256, storedSha256: r.storedSha256 },
    };
    // Written last: a base backup exists once its record does.
    await writeJsonObject(x.backend, `${baseBackupPrefix(bb.systemIdentifier)}${id}.json`, record, x.signal ? { signal: x.signal } : {});
    return record;
  } catch (e) {
    await x.backend.deleteObject(key).catch(() => undefined);
    throw e;
  }
}
