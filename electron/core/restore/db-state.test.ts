import { describe, expect, it } from 'vitest';
import { isDatabaseKind, newDatabases } from './db-state.js';
import { JournalTarget } from './journal.js';

describe('database state for rollbacks', () => {
  it('newDatabases: what exists now and did not before, in the order found', () => {
    expect(newDatabases(['postgres', 'keepme'], ['keepme', 'postgres', 'shop', 'analytics'])).toEqual(['shop', 'analytics']);
    expect(newDatabases(['postgres', 'shop'], ['postgres'])).toEqual([]); // a dropped one is not "new"
    expect(newDatabases([], ['a'])).toEqual(['a']);
  });

  it('only database kinds record and drop databases', () => {
    expect(['postgres', 'mariadb', 'volume', 'directory', 'mongo'].filter(isDatabaseKind)).toEqual(['postgres', 'mariadb']);
  });

  it('the journal keeps a directory target with its path and a database target with its list', () => {
    const dir = JournalTarget.parse({ source: 'conf', kind: 'directory', target: 'web-1', path: '/srv/conf', created: false });
    expect(dir).toMatchObject({ path: '/srv/conf', users: [], touched: false });
    const db = JournalTarget.parse({ source: 'db', kind: 'mariadb', target: 'maria-db-2', created: false, databasesBefore: ['inventory'] });
    expect(db.databasesBefore).toEqual(['inventory']);
    expect(() => JournalTarget.parse({ source: 'm', kind: 'mongo', target: 'x', created: false })).toThrow();
  });
});
