/**
 * Compatibility with the backup side: a snapshot made by runBackup (volume + PostgreSQL dumpall of
 * production) restored onto uat — a new volume and a PostgreSQL container of our own — and
 * verified against the manifest runBackup wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../backup/run-backup.js';
import { POSTGRES, inVolume, removeQuietly, uniqueName, volumeListing } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';

let t: LabRestore;
const src = uniqueName('hs-rstx-src');
const newVolume = uniqueName('hs-rstx-new');
const pg = uniqueName('hs-rstx-pg');

beforeAll(async () => {
  t = await labRestore();
  const uat = t.lab.machines.uat;
  await dockerCli(t.lab.machines.production, 'volume', 'create', src);
  await inVolume(t.lab.machines.production, src, 'mkdir -p /v/d && echo a > /v/d/a && ln /v/d/a /v/hard && ln -s d/a /v/soft');
  await dockerCli(uat, 'run', '-d', '--name', pg, '--network', 'none', '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', POSTGRES);
  await waitFor('the test PostgreSQL on uat', async () => (await dockerCli(uat, 'exec', pg, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-Atc', 'select 1').catch(() => '')) === '1', 60_000);
});

afterAll(async () => {
  await removeQuietly(t.lab.machines.uat, 'container', pg);
  await removeQuietly(t.lab.machines.uat, 'volume', newVolume);
  await removeQuietly(t.lab.machines.production, 'volume', src);
  await t?.dispose();
});

describe('a runBackup snapshot', () => {
  it('restores onto uat and verifies (checksums, entries, bytes, row counts of every database)', async () => {
    const db = (t.lab.stacks.production as unknown as { database: { container: string; rowCounts: Record<string, number> } }).database;
    const { manifest } = await runBackup({
      set: 'compat',
      host: { id: t.ids.production, name: 'production' },
      engine: await t.engine(t.ids.production),
      backend: t.backend,
      sources: [
        { kind: 'volume', name: 'files', volume: src },
        { kind: 'postgres', name: 'db', container: db.container, mode: 'dumpall', user: 'postgres' },
      ],
      compression: 'zstd',
      encryption: { kind: 'none', spec: { kind: 'none' } },
      stopContainers: false,
      tags: [],
    }, { signer: t.signer });
    const r = await runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: manifest.id, targetHostId: t.ids.uat, map: { files: newVolume, db: pg }, safetyCopy: true });
    expect(r.state).toBe('succeeded');
    expect(r.verification.map((v) => [v.source, v.ok])).toEqual([
      ['files', true],
      ['db', true],
    ]);
    const names = r.verification.flatMap((v) => v.checks.map((c) => c.name));
    expect(names).toEqual(expect.arrayContaining(['entries', 'file bytes', ...Object.keys(db.rowCounts).map((k) => `rows shop.${k}`)]));
    expect((await volumeListing(t.lab.machines.uat, newVolume)).stat).toBe((await volumeListing(t.lab.machines.production, src)).stat);
  });
});
