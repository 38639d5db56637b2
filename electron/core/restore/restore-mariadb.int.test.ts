/**
 * MariaDB round trip on science: runBackup of the lab's maria-db-1 (mariadb-dump in the container,
 * exact row counts per table in the manifest) → restore into a second MariaDB container of our own
 * (with stale data of its own) → row counts equal, verification passes; a failed restore is rolled
 * back, dropping the database it created; verify.run in a throwaway container.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostInput } from '../../../shared/contract/hosts.js';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { runBackup } from '../backup/run-backup.js';
import { mariadbRowCounts, mariadbSizeOnDisk } from '../sources/index.js';
import { removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, sshConnectionOf, waitFor } from '../testing/lab.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { runVerify } from './verify.js';
import { runCliCaptured } from '../../cli/testing/run-cli-captured.js';

interface LabMaria {
  container: string;
  image: string;
  name: string;
  rootPassword: string;
  rowCounts: Record<string, number>;
}

let t: LabRestore;
let science: string;
let maria: LabMaria;
let manifest: Manifest;
const target = uniqueName('hs-rst-maria');

const sql = (container: string, query: string) => dockerCli(t.lab.machines.science, 'exec', container, 'mariadb', '-N', '-B', '-e', query);

beforeAll(async () => {
  t = await labRestore();
  maria = (t.lab.stacks.science as unknown as { mariadb: LabMaria }).mariadb;
  science = (await t.hosts.add(HostInput.parse({ name: 'science', role: 'science', connection: sshConnectionOf(t.lab.machines.science) }))).id;
  // Same root password as the source: a dump of all databases carries the mysql schema (its users).
  await dockerCli(t.lab.machines.science, 'run', '-d', '--name', target, '--network', 'none', '-e', `MARIADB_ROOT_PASSWORD=${maria.rootPassword}`, maria.image);
  // Over TCP: only the final server listens there (the entrypoint's init-time one is socket-only and stops again).
  const tcpReady = () => dockerCli(t.lab.machines.science, 'exec', target, 'mariadb', '--protocol=tcp', '-h', '127.0.0.1', '-uroot', `-p${maria.rootPassword}`, '-N', '-e', 'SELECT 1');
  await waitFor('the test MariaDB on science', async () => (await tcpReady().catch(() => '')) === '1', 60_000);
  // Stale data that the restore must replace.
  await sql(target, 'CREATE DATABASE inventory; CREATE TABLE inventory.items (id INT PRIMARY KEY); INSERT INTO inventory.items VALUES (1), (2)');
  ({ manifest } = await runBackup({
    set: 'maria',
    host: { id: science, name: 'science' },
    engine: await t.engine(science),
    backend: t.backend,
    sources: [{ kind: 'mariadb', name: 'db', container: maria.container }],
    compression: 'zstd',
    encryption: { kind: 'none', spec: { kind: 'none' } },
    stopContainers: false,
    tags: [],
  }, { signer: t.signer }));
}, 120_000);

afterAll(async () => {
  await removeQuietly(t.lab.machines.science, 'container', target);
  await t?.dispose();
});

describe('MariaDB source and sink', () => {
  it('the backup records exact row counts per table, the server version and the image', async () => {
    const src = manifest.sources[0]!;
    expect(src.kind).toBe('mariadb');
    expect(src.format).toBe('sql');
    expect(src.databaseRowCounts?.[maria.name]).toEqual(maria.rowCounts);
    expect(src.origin.engineVersion).toMatch(/^MariaDB 10\.11\.\d+$/);
    expect(src.origin.image).toBe(await dockerCli(t.lab.machines.science, 'image', 'inspect', '-f', '{{.Id}}', maria.image));
  });

  it('a failed restore is rolled back: the stale data is back, the database it created is dropped', async () => {
    // The snapshot holds "inventory"; take it away from the target first so the restore creates it.
    await sql(target, 'DROP DATABASE inventory; CREATE DATABASE keepme; CREATE TABLE keepme.t (id INT); INSERT INTO keepme.t VALUES (7)');
    const deps = {
      ...t.deps,
      beforeStep: (step: string) => {
        if (step === 'verify') throw new Error('injected failure before verify');
      },
    };
    await expect(runRestore(deps, { repositoryId: t.repositoryId, snapshotId: manifest.id, targetHostId: science, map: { db: target }, safetyCopy: true })).rejects.toThrow(
      /injected failure before verify — rolled back \(.*dropped the new database inventory/,
    );
    expect((await sql(target, 'SHOW DATABASES')).split('\n')).not.toContain('inventory');
    expect(await sql(target, 'SELECT id FROM keepme.t')).toBe('7');
    await sql(target, 'DROP DATABASE keepme; CREATE DATABASE inventory; CREATE TABLE inventory.items (id INT PRIMARY KEY); INSERT INTO inventory.items VALUES (1), (2)');
  });

  it('restores into another container: row counts equal the manifest and the lab, verification passes', async () => {
    expect(await sql(target, 'SELECT COUNT(*) FROM inventory.items')).toBe('2');
    const r = await runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: manifest.id, targetHostId: science, map: { db: target }, safetyCopy: true });
    expect(r.state).toBe('succeeded');
    expect(r.verification[0]!.ok).toBe(true);
    const rowChecks = r.verification[0]!.checks.filter((c) => c.name.startsWith('rows '));
    expect(rowChecks.map((c) => c.name).sort()).toEqual(Object.keys(maria.rowCounts).map((k) => `rows inventory.${k}`).sort());
    // The independent witness: the mariadb client on the target, and the source's own counts.
    for (const [table, n] of Object.entries(maria.rowCounts)) expect(await sql(target, `SELECT COUNT(*) FROM inventory.${table}`)).toBe(String(n));
    const counts = await mariadbRowCounts({ engine: await t.engine(science), container: target });
    expect(counts.inventory).toEqual(maria.rowCounts);
    expect(await sql(target, "SELECT note FROM inventory.stock_moves WHERE note IS NOT NULL LIMIT 1")).toBe('recount, "damaged"; ü');
  });

  it('verify: a throwaway container of the snapshot image, checked and removed', async () => {
    const r = await runVerify(t.deps, { repositoryId: t.repositoryId, snapshotId: manifest.id, hostId: science });
    expect(r.ok).toBe(true);
    expect(r.verification[0]!.checks.filter((c) => c.name.startsWith('rows ')).length).toBe(Object.keys(maria.rowCounts).length);
    expect(await dockerCli(t.lab.machines.science, 'ps', '-a', '-q', '--filter', `label=org.hindsight.verify=${r.operationId}`)).toBe('');
  }, 120_000);

  it('measures its databases on disk, an upper bound of the dump (for the upload parts)', async () => {
    const engine = await t.engine(science);
    const onDisk = await mariadbSizeOnDisk({ engine, container: maria.container });
    expect(onDisk).toBeGreaterThan(0);
    expect(manifest.sources[0]!.rawBytes).toBeLessThan(onDisk);
  });

  it('the command line backs it up ad hoc too (`hindsight backup --mariadb`): the same counts', async () => {
    const r = await runCliCaptured(t.configDir, ['backup', '--host', 'science', '--repo', 'testrepo', '--mariadb', maria.container, '--set', 'maria-cli', '--json']);
    expect(r.code, r.err).toBe(0);
    const { snapshotId } = JSON.parse(r.out) as { snapshotId: string };
    const show = await runCliCaptured(t.configDir, ['snapshots', '--repo', 'testrepo', '--show', snapshotId, '--json']);
    expect(show.code, show.err).toBe(0);
    const shown = JSON.parse(show.out) as { manifest?: Manifest } & Partial<Manifest>;
    const m = shown.manifest ?? (shown as Manifest);
    expect(m.sources[0]).toMatchObject({ kind: 'mariadb', format: 'sql', origin: { container: maria.container } });
    expect(m.sources[0]!.databaseRowCounts?.[maria.name]).toEqual(maria.rowCounts);
  }, 120_000);
});
