import { describe, expect, it } from 'vitest';
import type { Host, Inventory } from '../../shared/contract/index.js';
import { databaseKindsOf, defaultVerifyHost, kindNames, missingOn } from './verifyHosts';

const host = (id: string, role: Host['role'], isProtected = false) => ({ id, name: id, role, protected: isProtected }) as unknown as Host;
const inventory = (...kinds: Array<'postgres' | 'mariadb' | null>) => ({ containers: kinds.map((databaseKind, i) => ({ name: `c${i}`, databaseKind })) }) as unknown as Inventory;

describe('where a verify runs', () => {
  const hosts = [host('prod', 'production', true), host('uat', 'uat'), host('science', 'science')];

  it("a snapshot's database kinds, each once; files need no container", () => {
    expect(databaseKindsOf([{ kind: 'postgres' }, { kind: 'volume' }, { kind: 'postgres' }, { kind: 'mariadb' }, { kind: 'directory' }])).toEqual(['postgres', 'mariadb']);
    expect(databaseKindsOf([{ kind: 'volume' }, { kind: 'from-the-future' }])).toEqual([]);
  });

  it('a host lacks the kinds it runs no container of; unknown until its inventory is read', () => {
    expect(missingOn(inventory('mariadb', null), ['postgres', 'mariadb'])).toEqual(['postgres']);
    expect(missingOn(undefined, ['postgres'])).toBeNull();
    expect(missingOn(undefined, [])).toEqual([]);
    expect(kindNames(['postgres', 'mariadb'])).toBe('PostgreSQL and MariaDB/MySQL');
  });

  it('prefers a host that can check every source, then UAT, science, never a protected one first', () => {
    expect(defaultVerifyHost(hosts, 'prod')).toBe('uat');
    const inventories: Record<string, Inventory> = { prod: inventory('postgres'), uat: inventory(null), science: inventory('postgres') };
    expect(defaultVerifyHost(hosts, 'prod', (id) => missingOn(inventories[id], ['postgres']))).toBe('science');
    // Only the protected host could: still not suggested (the dialog says what the others lack).
    expect(defaultVerifyHost(hosts, 'prod', (id) => missingOn({ ...inventories, science: inventory(null) }[id], ['postgres']))).toBe('uat');
    // While the inventories are being read, the roles decide.
    expect(defaultVerifyHost(hosts, 'prod', () => null)).toBe('uat');
    // No host can: the usual order still.
    expect(defaultVerifyHost(hosts, 'prod', () => ['postgres'])).toBe('uat');
  });
});
