import { describe, expect, it } from 'vitest';
import { databaseKind, discoverSources, type SeenContainer } from './discover.js';

const shop = { 'com.docker.compose.project': 'shop' };
const c = (over: Partial<SeenContainer>): SeenContainer => ({ name: 'x', image: 'busybox', command: 'sh', state: 'running', labels: {}, mounts: [], ...over });

describe('databaseKind', () => {
  it('recognises databases by image, then by command', () => {
    expect(databaseKind('postgres:16-alpine', '')).toBe('postgres');
    expect(databaseKind('docker.io/library/postgres@sha256:abc', '')).toBe('postgres');
    expect(databaseKind('hindsight-lab/postgres:15', '')).toBe('postgres');
    expect(databaseKind('mysql:8', '')).toBe('mariadb');
    expect(databaseKind('mariadb:11', '')).toBe('mariadb');
    expect(databaseKind('mongo:7', '')).toBe('mongo');
    expect(databaseKind('sha256:0123', 'docker-entrypoint.sh postgres')).toBe('postgres');
    expect(databaseKind('myapp:1', 'mysqld --user=mysql')).toBe('mariadb');
    expect(databaseKind('busybox', 'sh -c sleep')).toBeUndefined();
    expect(databaseKind('postgres-exporter-ish:1', '')).toBe('postgres'); // a prefix match: errs on suggesting
    expect(databaseKind('mypostgresapp:1', '')).toBeUndefined();
  });
});

describe('discoverSources', () => {
  const containers = [
    c({ name: 'shop-db-1', image: 'postgres:15', labels: shop, mounts: [{ volume: 'shop_pgdata', destination: '/var/lib/postgresql/data' }] }),
    c({ name: 'shop-app-1', labels: shop, mounts: [{ volume: 'shop_files', destination: '/data' }] }),
    c({ name: 'blog-db', image: 'mariadb:11', state: 'exited', mounts: [{ volume: 'blog_db', destination: '/var/lib/mysql' }] }),
    c({ name: 'hindsight-helper-1', labels: { 'org.hindsight.helper': 'true' }, mounts: [{ volume: 'shop_files', destination: '/src' }] }),
  ];
  const volumes = [
    { name: 'shop_files', labels: shop },
    { name: 'shop_pgdata', labels: shop },
    { name: 'blog_db', labels: {} },
    { name: 'a'.repeat(64), labels: {} },
    { name: 'leftover', labels: {} },
  ];

  it('suggests the databases through their dumps, and volumes; a database data volume is not recommended', () => {
    const found = discoverSources(containers, volumes);
    expect(found.map((f) => f.label)).toEqual([
      'PostgreSQL in shop-db-1 (all databases)',
      'MariaDB/MySQL in blog-db',
      'volume shop_files (used by shop-app-1)',
      'volume shop_pgdata (used by shop-db-1)',
      'volume blog_db (used by blog-db)',
      'volume leftover',
    ]);
    expect(found[0]).toMatchObject({ spec: { kind: 'postgres', container: 'shop-db-1', mode: 'dumpall', user: 'postgres' }, stack: 'shop', recommended: true, reason: 'image postgres:15' });
    expect(found[1]!.reason).toContain('exited');
    expect(found[2]).toMatchObject({ spec: { kind: 'volume', volume: 'shop_files' }, recommended: true, containers: ['shop-app-1'] });
    expect(found[3]).toMatchObject({ recommended: false, reason: expect.stringContaining('backed up through the dump') });
    expect(found[5]).toMatchObject({ recommended: false, reason: 'named volume, not used by any container' });
  });

  it("never suggests the agent or its state volume (it holds the repositories' secrets)", () => {
    const agent = { name: 'hindsight-agent', image: 'hindsight/agent:1', command: 'serve', state: 'running', labels: { 'org.hindsight.agent': 'agent' }, mounts: [{ volume: 'hindsight-agent-state', destination: '/var/lib/hindsight-agent' }] };
    const found = discoverSources([...containers, agent], [...volumes, { name: 'hindsight-agent-state', labels: { 'org.hindsight.agent': 'state' } }]);
    expect(found.map((f) => f.label).join('\n')).not.toMatch(/hindsight-agent/);
  });

  it('never suggests a safety copy kept on a host (it is a restore’s, removed with it)', () => {
    const copy = { name: 'hindsight-safety-20261206-restore-ab12-1', labels: { 'org.hindsight.safety-copy': '20261206-restore-ab12', 'org.hindsight.safety-copy.of': 'shop_files' } };
    const found = discoverSources(containers, [...volumes, copy]);
    expect(found.map((f) => f.label).join('\n')).not.toMatch(/hindsight-safety/);
    expect(found.length).toBe(discoverSources(containers, volumes).length);
  });

  it('one stack only', () => {
    expect(discoverSources(containers, volumes, 'shop').map((f) => f.label)).toEqual([
      'PostgreSQL in shop-db-1 (all databases)',
      'volume shop_files (used by shop-app-1)',
      'volume shop_pgdata (used by shop-db-1)',
    ]);
  });
});
