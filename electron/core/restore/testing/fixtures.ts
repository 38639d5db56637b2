/** A manifest for unit tests: one volume and one PostgreSQL source from production. */
import type { Manifest, ManifestSource } from '../../../../shared/contract/snapshots.js';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

export function volumeSource(over: Partial<ManifestSource> = {}): ManifestSource {
  return {
    name: 'files',
    kind: 'volume',
    origin: { hostId: 'h-prod', hostName: 'production', volume: 'shop_files' },
    objectKey: 'data/20261121T221530Z-shop-ab12/files.tar.zst',
    format: 'tar',
    compression: 'zstd',
    encryption: 'none',
    rawBytes: 10 * 1024 * 1024,
    storedBytes: 4 * 1024 * 1024,
    rawSha256: HASH_A,
    storedSha256: HASH_B,
    fileCount: 12,
    fileBytes: 9 * 1024 * 1024,
    startedAt: '2026-11-21T22:15:30Z',
    completedAt: '2026-11-21T22:15:40Z',
    ...over,
  };
}

export function postgresSource(over: Partial<ManifestSource> = {}): ManifestSource {
  return {
    name: 'db',
    kind: 'postgres',
    origin: { hostId: 'h-prod', hostName: 'production', container: 'shop-db-1', image: 'hindsight-lab/postgres:15', database: 'shop', engineVersion: 'PostgreSQL 15.18' },
    objectKey: 'data/20261121T221530Z-shop-ab12/db.sql.zst',
    format: 'sql',
    compression: 'zstd',
    encryption: 'none',
    rawBytes: 2 * 1024 * 1024,
    storedBytes: 512 * 1024,
    rawSha256: HASH_A,
    storedSha256: HASH_B,
    rowCounts: { customers: 50, 'audit.events': 12 },
    startedAt: '2026-11-21T22:15:30Z',
    completedAt: '2026-11-21T22:15:40Z',
    ...over,
  };
}

export function manifestOf(sources: ManifestSource[]): Manifest {
  return {
    format: 'hindsight/1',
    id: '20261121T221530Z-shop-ab12',
    set: 'shop',
    sourceHost: { id: 'h-prod', name: 'production' },
    startedAt: '2026-11-21T22:15:30Z',
    completedAt: '2026-11-21T22:15:40Z',
    tags: [],
    toolVersion: 'test',
    sources,
  };
}
