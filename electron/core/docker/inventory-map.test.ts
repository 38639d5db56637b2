import { describe, expect, it } from 'vitest';
import { Inventory } from '../../../shared/contract/inventory.js';
import { buildInventory, containerName, healthFromStatus, type RawContainer, type RawVolume } from './inventory-map.js';

const compose = (project: string, service: string) => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
});

const containers: RawContainer[] = [
  {
    Id: 'app1',
    Names: ['/shop-app-1'],
    Image: 'busybox',
    State: 'running',
    Status: 'Up 3 minutes',
    Created: 1_700_000_100,
    Labels: compose('shop', 'app'),
    Mounts: [{ Type: 'volume', Name: 'shop_files', Source: '/var/lib/docker/volumes/shop_files/_data', Destination: '/srv/files', RW: true }],
  },
  {
    Id: 'db1',
    Names: ['/shop-db-1', '/shop-app-1/db'],
    Image: 'postgres:16',
    State: 'exited',
    Status: 'Exited (0) 2 seconds ago',
    Created: 1_700_000_000,
    Labels: compose('shop', 'db'),
    Mounts: [
      { Type: 'volume', Name: 'shop_pgdata', Source: '/v/shop_pgdata/_data', Destination: '/var/lib/postgresql/data', RW: true },
      { Type: 'bind', Source: '/etc/localtime', Destination: '/etc/localtime', RW: false },
    ],
  },
  { Id: 'nb', Names: ['/notebook'], Image: 'busybox', State: 'running', Status: 'Up 1 hour (healthy)', Created: 1_700_000_200, Labels: {}, Mounts: [
    { Type: 'volume', Name: 'shop_files', Source: '/x', Destination: '/ro', RW: false },
  ] },
];
const volumes: RawVolume[] = [
  { Name: 'shop_pgdata', Driver: 'local', Mountpoint: '/v/shop_pgdata/_data', Labels: { 'com.docker.compose.project': 'shop' }, CreatedAt: '2026-01-01T00:00:00Z' },
  { Name: 'shop_files', Driver: 'local', Mountpoint: '/v/shop_files/_data', Labels: { 'com.docker.compose.project': 'shop' } },
  { Name: 'orphan', Driver: 'local', Mountpoint: '/v/orphan/_data', Labels: null },
  { Name: 'shop_cache', Driver: 'local', Mountpoint: '/v/shop_cache/_data', Labels: { 'com.docker.compose.project': 'shop' } },
];

describe('buildInventory', () => {
  const inv = buildInventory('h1', containers, volumes, new Map([['shop_pgdata', 4096], ['orphan', -1]]), new Date('2026-11-21T00:00:00Z'));

  it('fits the contract', () => {
    expect(() => Inventory.parse(inv)).not.toThrow();
  });

  it('maps containers: names without slash, state, health, compose labels, mounts', () => {
    expect(inv.containers.map((c) => c.name)).toEqual(['notebook', 'shop-app-1', 'shop-db-1']);
    const db = inv.containers.find((c) => c.id === 'db1')!;
    expect(db).toMatchObject({ state: 'exited', health: null, project: 'shop', service: 'db', createdAt: '2023-11-14T22:13:20.000Z' });
    expect(db.mounts).toEqual([
      { type: 'volume', name: 'shop_pgdata', source: '/v/shop_pgdata/_data', destination: '/var/lib/postgresql/data', readOnly: false },
      { type: 'bind', name: null, source: '/etc/localtime', destination: '/etc/localtime', readOnly: true },
    ]);
    expect(inv.containers.find((c) => c.id === 'nb')).toMatchObject({ health: 'healthy', project: null, service: null });
  });

  it("says which database server a container runs, as the caller's discovery reads it (none without one)", () => {
    expect(inv.containers.map((c) => c.databaseKind)).toEqual([null, null, null]);
    const told = buildInventory('h1', containers, volumes, new Map(), new Date(), (c) => (c.Image.startsWith('postgres') ? 'postgres' : undefined));
    expect(told.containers.map((c) => [c.name, c.databaseKind])).toEqual([
      ['notebook', null],
      ['shop-app-1', null],
      ['shop-db-1', 'postgres'],
    ]);
  });

  it('maps volumes with their users (running or not), size when known, project', () => {
    expect(inv.volumes.map((v) => [v.name, v.usedBy, v.sizeBytes, v.project])).toEqual([
      ['orphan', [], null, null],
      ['shop_cache', [], null, 'shop'],
      ['shop_files', ['notebook', 'shop-app-1'], null, 'shop'],
      ['shop_pgdata', ['shop-db-1'], 4096, 'shop'],
    ]);
  });

  it('groups stacks by compose project, loose containers last under name null', () => {
    expect(inv.stacks).toEqual([
      { hostId: 'h1', name: 'shop', containerIds: ['app1', 'db1'], volumeNames: ['shop_cache', 'shop_files', 'shop_pgdata'] },
      { hostId: 'h1', name: null, containerIds: ['nb'], volumeNames: ['shop_files'] },
    ]);
  });
});

describe('helpers', () => {
  it('reads health from the status line', () => {
    expect(healthFromStatus('Up 2 minutes (healthy)')).toBe('healthy');
    expect(healthFromStatus('Up 2 minutes (unhealthy)')).toBe('unhealthy');
    expect(healthFromStatus('Up 1 second (health: starting)')).toBe('starting');
    expect(healthFromStatus('Exited (1) 3 hours ago')).toBeNull();
  });
  it('picks the own name among link aliases', () => {
    expect(containerName({ Id: 'x', Names: ['/web/db', '/db'] })).toBe('db');
    expect(containerName({ Id: '0123456789abcdef', Names: [] })).toBe('0123456789ab');
  });
});
