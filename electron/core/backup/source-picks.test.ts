import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestSource } from '../../../shared/contract/snapshots.js';
import { pickSources } from './source-picks.js';
import { sourceNames } from './source-names.js';

const H = '0'.repeat(64);
function src(name: string, startedAt: string): ManifestSource {
  return {
    name,
    kind: 'volume',
    origin: { hostId: 'h', hostName: 'h' },
    objectKey: `data/x/${name}.tar.zst`,
    format: 'tar',
    compression: 'zstd',
    encryption: 'none',
    rawBytes: 1,
    storedBytes: 1,
    rawSha256: H,
    storedSha256: H,
    startedAt,
    completedAt: startedAt,
  };
}
function manifest(id: string, sources: ManifestSource[]): Manifest {
  return { format: 'hindsight/1', id, set: 'shop', sourceHost: { id: 'h', name: 'h' }, startedAt: sources[0]!.startedAt, completedAt: sources[0]!.completedAt, tags: [], toolVersion: 't', sources };
}

describe('pickSources', () => {
  it('takes every source from the newest snapshot when it holds them all', () => {
    const m2 = manifest('20261121T180000Z-shop-0002', [src('db', '2026-11-21T18:00:00Z'), src('files', '2026-11-21T18:05:00Z')]);
    const m1 = manifest('20261121T120000Z-shop-0001', [src('db', '2026-11-21T12:00:00Z'), src('files', '2026-11-21T12:05:00Z')]);
    const p = pickSources([m2, m1], ['db', 'files']);
    expect(p.sources.map((s) => [s.source, s.snapshotId])).toEqual([
      ['db', m2.id],
      ['files', m2.id],
    ]);
    expect(p).toMatchObject({ missing: [], spreadSeconds: 300, warnings: [] });
  });

  it('takes a source the newest snapshot lacks from an older one, and warns when they are over an hour apart', () => {
    const m2 = manifest('20261121T180000Z-shop-0002', [src('db', '2026-11-21T18:00:00Z')]);
    const m1 = manifest('20261121T090000Z-shop-0001', [src('db', '2026-11-21T09:00:00Z'), src('files', '2026-11-21T09:10:00Z')]);
    const p = pickSources([m2, m1], ['db', 'files']);
    expect(p.sources.map((s) => [s.source, s.snapshotId])).toEqual([
      ['db', m2.id],
      ['files', m1.id],
    ]);
    expect(p.spreadSeconds).toBe(8 * 3600 + 50 * 60);
    expect(p.warnings).toHaveLength(2);
    expect(p.warnings[0]).toContain('files is not in 20261121T180000Z-shop-0002');
    expect(p.warnings[1]).toMatch(/copied 8\.8 h apart \(files at 2026-11-21T09:10:00Z, db at 2026-11-21T18:00:00Z\)/);
  });

  it('warns about sources within one snapshot copied far apart, and reports sources no snapshot holds', () => {
    const m = manifest('20261121T000000Z-shop-0001', [src('big', '2026-11-21T00:00:00Z'), src('db', '2026-11-21T02:00:00Z')]);
    const p = pickSources([m], ['big', 'db', 'uploads']);
    expect(p.missing).toEqual(['uploads']);
    expect(p.warnings.join('\n')).toMatch(/No snapshot at or before the date holds uploads/);
    expect(p.warnings.join('\n')).toMatch(/2\.0 h apart/);
    expect(pickSources([m], [], 3 * 3600).warnings).toEqual([]);
  });

  it('nothing to pick from', () => {
    expect(pickSources([], ['a'])).toEqual({ sources: [], missing: ['a'], spreadSeconds: 0, warnings: [] });
  });
});

describe('sourceNames', () => {
  it('names sources after what they are, safely and uniquely', () => {
    expect(
      sourceNames([
        { kind: 'volume', volume: 'shop_files' },
        { kind: 'volume', volume: 'shop_files' },
        { kind: 'postgres', container: 'shop-db-1', mode: 'database', database: 'shop', user: 'postgres' },
        { kind: 'postgres', container: '/weird name', mode: 'dumpall', user: 'postgres' },
        { kind: 'directory', container: 'app', path: '/srv/conf' },
        { kind: 'volume', volume: 'x', name: 'custom' },
      ]),
    ).toEqual(['shop_files', 'shop_files-2', 'shop-db-1-shop', 'weird-name', 'app-srv-conf', 'custom']);
  });
});
