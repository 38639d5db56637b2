import { describe, expect, it } from 'vitest';
import { SourceKind } from '../../../shared/contract/snapshots.js';
import { KINDS } from '../kinds/registry.js';
import { expectedRowCounts, newDatabases } from './db-state.js';
import { JournalTarget } from './journal.js';

describe('database state for rollbacks', () => {
  it('newDatabases: what exists now and did not before, in the order found', () => {
    expect(newDatabases(['postgres', 'keepme'], ['keepme', 'postgres', 'shop', 'analytics'])).toEqual(['shop', 'analytics']);
    expect(newDatabases(['postgres', 'shop'], ['postgres'])).toEqual([]); // a dropped one is not "new"
    expect(newDatabases([], ['a'])).toEqual(['a']);
  });

  it('expectedRowCounts: per database; an older dump-of-all manifest ("<database>/<table>" keys) read as such, a key without a database unchecked', () => {
    const pg = { kind: 'postgres' as const, format: 'sql' as const, origin: {} };
    expect(expectedRowCounts({ ...pg, databaseRowCounts: { shop: { orders: 200 } } })).toEqual({ byDatabase: { shop: { orders: 200 } }, unchecked: [] });
    expect(expectedRowCounts({ ...pg, format: 'pg-custom', origin: { database: 'shop' }, rowCounts: { orders: 200 } }).byDatabase).toEqual({ shop: { orders: 200 } });
    const legacy = expectedRowCounts({ ...pg, rowCounts: { 'shop/audit.events': 12, 'shop/orders': 200, 'analytics/x.y': 1, lonely: 3 } });
    expect(legacy.byDatabase).toEqual({ shop: { 'audit.events': 12, orders: 200 }, analytics: { 'x.y': 1 } });
    expect(legacy.unchecked).toEqual([{ key: 'lonely', rows: 3, why: expect.stringContaining('not checked') }]);
    // Not a dump of all: the old default database stays.
    expect(expectedRowCounts({ ...pg, format: 'pg-custom', rowCounts: { t: 1 } }).byDatabase).toEqual({ postgres: { t: 1 } });
  });

  it('only database kinds record and drop databases', () => {
    expect(SourceKind.options.filter((k) => KINDS[k].restoring.databases)).toEqual(['postgres', 'mariadb']);
  });

  it('the journal keeps a directory target with its path and a database target with its list', () => {
    const dir = JournalTarget.parse({ source: 'conf', kind: 'directory', target: 'web-1', path: '/srv/conf', created: false });
    expect(dir).toMatchObject({ path: '/srv/conf', users: [], touched: false });
    const db = JournalTarget.parse({ source: 'db', kind: 'mariadb', target: 'maria-db-2', created: false, databasesBefore: ['inventory'] });
    expect(db.databasesBefore).toEqual(['inventory']);
    expect(() => JournalTarget.parse({ source: 'm', kind: 'mongo', target: 'x', created: false })).toThrow();
  });
});
