/**
 * Rolling back a PostgreSQL dumpall restore drops the databases the failed restore created: the
 * database list is recorded (in the journal) with the safety copy, and after the safety copy is
 * loaded back every database that was not there before is dropped. Fault path: the runner's
 * beforeStep hook fails the restore once the dump is loaded, before verification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { postgresDatabases } from '../sources/index.js';
import { POSTGRES, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { listJournals } from './journal.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { postgresFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let snap: Manifest;
const pg = uniqueName('hs-rst-pgrb');
const psql = (sql: string) => dockerCli(t.lab.machines.uat, 'exec', pg, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-Atc', sql);

beforeAll(async () => {
  t = await labRestore();
  const db = t.lab.stacks.production as unknown as { database: { container: string } };
  snap = await writeSnapshot(t.backend, 'pgrb', { id: t.ids.production, name: 'production' }, [
    await postgresFixture(await t.engine(t.ids.production), { id: t.ids.production, name: 'production' }, db.database.container, POSTGRES),
  ]);
  await dockerCli(t.lab.machines.uat, 'run', '-d', '--name', pg, '--network', 'none', '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', POSTGRES);
  await waitFor('the test PostgreSQL on uat', async () => (await psql('select 1').catch(() => '')) === '1', 60_000);
  await psql('CREATE DATABASE keepme');
  await dockerCli(t.lab.machines.uat, 'exec', pg, 'psql', '-U', 'postgres', '-d', 'keepme', '-c', 'CREATE TABLE t (id int); INSERT INTO t VALUES (7)');
}, 120_000);

afterAll(async () => {
  await removeQuietly(t.lab.machines.uat, 'container', pg);
  await t?.dispose();
});

describe('rollback of a dumpall restore', () => {
  it('drops the databases the failed restore created and keeps the ones that were there', async () => {
    expect(Object.keys(snap.sources[0]!.databaseRowCounts!)).toContain('shop');
    const before = (await psql('SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1')).split('\n');
    expect(before).toEqual(['keepme', 'postgres']);
    let loaded: string[] = [];
    const deps = {
      ...t.deps,
      beforeStep: async (step: string) => {
        if (step !== 'verify') return;
        // The dump is in: "shop" exists now (the witness that the rollback has something to undo).
        loaded = await postgresDatabases({ engine: await t.engine(t.ids.uat), container: pg });
        throw new Error('injected failure before verify');
      },
    };
    await expect(runRestore(deps, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: t.ids.uat, map: { db: pg }, safetyCopy: true })).rejects.toThrow(
      /rolled back \(.*dropped the new database shop/,
    );
    expect(loaded).toContain('shop');
    expect((await psql('SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1')).split('\n')).toEqual(before);
    expect(await dockerCli(t.lab.machines.uat, 'exec', pg, 'psql', '-U', 'postgres', '-d', 'keepme', '-Atc', 'SELECT id FROM t')).toBe('7');
    // The journal recorded the list, so a rollback after a crash does the same.
    const j = (await listJournals(t.configDir)).find((x) => x.snapshotId === snap.id)!;
    expect(j.state).toBe('rolled-back');
    expect(j.targets[0]!.databasesBefore).toEqual(['keepme', 'postgres']);
  });
});
