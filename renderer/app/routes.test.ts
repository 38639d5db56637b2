import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from './routes';

describe('hash routes', () => {
  const routes: Route[] = [
    { page: 'overview' },
    { page: 'host', hostId: 'uat 1' },
    { page: 'snapshots' },
    { page: 'snapshots', repositoryId: 'lab-s3' },
    { page: 'snapshot', repositoryId: 'lab-s3', snapshotId: 'shop-20261121T180000Z-ab12' },
    { page: 'restore' },
    { page: 'restore', repositoryId: 'r', snapshotId: 's/x', asOf: 'last friday 18:00' },
    { page: 'operations' },
    { page: 'operation', id: 'op-1' },
  ];
  it.each(routes)('round-trips %j', (route) => {
    expect(parseRoute(formatRoute(route))).toEqual(route);
  });
  it('falls back to the overview for anything unknown', () => {
    expect(parseRoute('#/nowhere/at/all')).toEqual({ page: 'overview' });
    expect(parseRoute('')).toEqual({ page: 'overview' });
  });
  it('keeps natural-language dates intact in the query', () => {
    expect(formatRoute({ page: 'restore', asOf: 'yesterday 18:00' })).toBe('#/restore?asOf=yesterday+18%3A00');
  });
});
