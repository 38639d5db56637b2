/**
 * PostgreSQL production → uat, into a container of our own on uat (never uat's shop-db-1): row
 * counts equal, verification passes; verify.run in a throwaway container.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { POSTGRES, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { postgresRowCounts } from '../sources/index.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { postgresFixture, writeSnapshot } from './testing/snapshot-fixture.js';
import { runVerify } from './verify.js';

let t: LabRestore;
let snap: Manifest;
const pg = uniqueName('hs-rst-pg');

beforeAll(async () => {
  t = await labRestore();
  const db = t.lab.stacks.production as unknown as { database: { container: string; name: string } };
  const prod = await t.engine(t.ids.production);
  snap = await writeSnapshot(t.backend, 'pgtest', { id: t.ids.production, name: 'production' }, [
    await postgresFixture(prod, { id: t.ids.production, name: 'production' }, db.database.container, POSTGRES),
  ]);
  await dockerCli(t.lab.machines.uat, 'run', '-d', '--name', pg, '--network', 'none', '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', POSTGRES);
  await waitFor(
    'the test PostgreSQL on uat',
    async () => (await dockerCli(t.lab.machines.uat, 'exec', pg, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-Atc', 'select 1').catch(() => '')) === '1',
    60_000,
  );
});

afterAll(async () => {
  await removeQuietly(t.lab.machines.uat, 'container', pg);
  await t?.dispose();
});

describe('PostgreSQL restore', () => {
  it('production → our own container on uat: row counts equal the manifest and the lab', async () => {
    const expected = (t.lab.stacks.production as unknown as { database: { rowCounts: Record<string, number> } }).database.rowCounts;
    const perDb = snap.sources[0]!.databaseRowCounts!;
    expect(perDb.shop).toEqual(expected);
    const r = await runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: t.ids.uat, map: { db: pg }, safetyCopy: true });
    expect(r.state).toBe('succeeded');
    expect(r.verification[0]!.ok).toBe(true);
    const tables = Object.values(perDb).reduce((n, t) => n + Object.keys(t).length, 0);
    expect(tables).toBeGreaterThanOrEqual(4);
    expect(r.verification[0]!.checks.filter((c) => c.name.startsWith('rows')).length).toBe(tables);
    const counts = await postgresRowCounts({ engine: await t.engine(t.ids.uat), container: pg, database: 'shop' });
    expect(counts).toEqual(expected);
  });

  it('verify: a throwaway container of the snapshot image, checked and removed', async () => {
    const r = await runVerify(t.deps, { repositoryId: t.repositoryId, snapshotId: snap.id, hostId: t.ids.uat });
    expect(r.ok).toBe(true);
    const left = await dockerCli(t.lab.machines.uat, 'ps', '-a', '-q', '--filter', 'label=org.hindsight.verify');
    expect(left).toBe('');
  });
});
