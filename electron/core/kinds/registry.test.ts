import { describe, expect, it } from 'vitest';
import type { PlanTarget } from '../../../shared/contract/restore.js';
import { SourceKind, type ManifestSource } from '../../../shared/contract/snapshots.js';
import { SOURCE_KINDS } from '../../../shared/contract/source-kinds.js';
import { KINDS, kindOf } from './registry.js';

const source = (kind: SourceKind, extra: Partial<ManifestSource> = {}): ManifestSource => ({
  name: `${kind}-src`,
  kind,
  origin: { hostId: 'h', hostName: 'production', container: 'c', volume: 'v', path: '/srv/conf' },
  objectKey: `data/s/${kind}-src.x.zst`,
  format: kind === 'volume' || kind === 'directory' ? 'tar' : kind === 'mongo' ? 'mongo-archive' : 'sql',
  compression: 'zstd',
  encryption: 'none',
  rawBytes: 10,
  storedBytes: 5,
  rawSha256: '0'.repeat(64),
  storedSha256: '1'.repeat(64),
  startedAt: '2026-12-06T00:00:00Z',
  completedAt: '2026-12-06T00:00:01Z',
  ...extra,
});
const target = (kind: SourceKind): PlanTarget => ({ source: `${kind}-src`, kind, targetKind: kind === 'volume' ? 'volume' : 'container', target: "it's here", path: '/srv/conf', create: false, users: [], objectKey: 'k', storedBytes: 5, rawBytes: 10 });
const ctx = { ssh: 'hindsight@uat -p 22', helper: 'busybox', keptOnHost: false };

describe('one module per source kind', () => {
  it('every kind of the contract has its module, under its own name', () => {
    for (const kind of SourceKind.options) expect(kindOf(kind).kind).toBe(kind);
    expect(Object.keys(KINDS).sort()).toEqual([...SourceKind.options].sort());
    // The module agrees with what clients read from the contract (SOURCE_KINDS).
    for (const kind of SourceKind.options) {
      const traits = SOURCE_KINDS[kind];
      expect(!!KINDS[kind].planning.targetPath, kind).toBe(traits.intoPath);
      if (KINDS[kind].restoring.databases) expect(traits.holds, kind).toBe('databases');
      if (KINDS[kind].restoring.copyFormat === 'tar') expect(traits.holds, kind).toBe('files');
    }
    expect(SourceKind.options.filter((k) => SOURCE_KINDS[k].target === 'volume')).toEqual(['volume']);
  });

  it('a restorable kind plans a restore that decodes the object and quotes the target; MongoDB is refused with the way by hand', () => {
    for (const kind of SourceKind.options) {
      const { planning } = KINDS[kind];
      const src = source(kind);
      if (kind === 'mongo') {
        expect(planning.notRestorable(src)).toMatch(/cat data\/s\/mongo-src\.x\.zst \| zstd -d \| docker exec -i <container> mongorestore --archive --drop/);
        continue;
      }
      expect(planning.notRestorable(src)).toBeUndefined();
      expect(planning.formatProblem(src)).toBeUndefined();
      expect(planning.restoreCommand(src, target(kind), ctx)).toMatch(/^cat data\/s\/\S+ \| zstd -d \| ssh hindsight@uat -p 22 '/);
      // On the local engine (no ssh), the target's name is quoted once, its quote escaped.
      const local = planning.restoreCommand(src, target(kind), { ...ctx, ssh: undefined });
      expect(local).toContain(`'it'\\''s here`);
      expect(local).not.toMatch(/[^']it's here/);
    }
  });

  it('refuses a format the kind does not restore', () => {
    expect(kindOf('postgres').planning.formatProblem(source('postgres', { format: 'tar' }))).toMatch(/unexpected format tar for PostgreSQL/);
    expect(kindOf('directory').planning.formatProblem(source('directory', { format: 'sql' }))).toMatch(/unexpected format sql for a directory source/);
    expect(kindOf('volume').planning.formatProblem(source('volume', { format: 'sql' }))).toMatch(/unexpected format sql for a volume source/);
  });
});
