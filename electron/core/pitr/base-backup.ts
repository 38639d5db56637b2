/**
 * Point-in-time recovery, its first part (issue 10 item 2, docs/pitr.md): a base backup of a
 * PostgreSQL cluster into the repository — pg_basebackup's tar of the data directory through the
 * one pipeline into `pitr/<system identifier>/base/<id>.tar.zst`, then its record
 * `…/<id>.json` (where the WAL it needs begins and ends, on which timeline, when it ended), written
 * last as a manifest is. The WAL archive and the restore that use it come next (docs/pitr.md).
 */
import { RpcError } from '../../../shared/contract/errors.js';
import { makeSnapshotId } from '../../../shared/snapshot-id.js';
import { parseLsn } from '../../../shared/wal.js';
import type { Engine } from '../docker/engine.js';
import { storeStream } from './stored-objects.js';
import { writeJsonObject, type RepositoryBackend } from '../repository/index.js';
import type { ManifestSigner } from '../signing/index.js';
import { openPostgresBaseBackup } from '../sources/postgres.js';
import { baseBackupPrefix, signPitrRecord, type BaseBackupRecord } from './archive-records.js';

export async function takeBaseBackup(x: { engine: Engine; container: string; backend: RepositoryBackend; host: { id: string; name: string }; signer: ManifestSigner; signal?: AbortSignal; now?: () => Date }): Promise<BaseBackupRecord> {
  const now = x.now ?? (() => new Date());
  const startedAt = now();
  const bb = await openPostgresBaseBackup({ engine: x.engine, container: x.container, ...(x.signal ? { signal: x.signal } : {}) });
  const id = makeSnapshotId('base', { now: startedAt });
  const key = `${baseBackupPrefix(bb.systemIdentifier)}${id}.tar.zst`;
  try {
    const object = await storeStream(x.backend, key, bb.stream, x.signal);
    const wal = await bb.walRange();
    if (parseLsn(wal.endLsn) < parseLsn(wal.startLsn)) throw new RpcError('INTERNAL', `pg_basebackup reported its WAL ending (${wal.endLsn}) before it began (${wal.startLsn}).`);
    const record = signPitrRecord<BaseBackupRecord>(
      {
      format: 'hindsight-pitr-base/1',
      id,
      cluster: bb.systemIdentifier,
      sourceHost: x.host,
      serverVersion: bb.serverVersion,
      container: x.container,
      image: bb.image,
      ...wal,
      startedAt: startedAt.toISOString(),
      endedAt: now().toISOString(),
      object,
      },
      x.signer,
    );
    // Written last: a base backup exists once its record does.
    await writeJsonObject(x.backend, `${baseBackupPrefix(bb.systemIdentifier)}${id}.json`, record, x.signal ? { signal: x.signal } : {});
    return record;
  } catch (e) {
    await x.backend.deleteObject(key).catch(() => undefined);
    throw e;
  }
}
