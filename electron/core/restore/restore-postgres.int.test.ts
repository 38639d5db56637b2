/**
 * PostgreSQL production → uat, into a container of our own on uat (never uat's shop-db-1): row
 * counts equal, verification passes; verify.run in a throwaway container — also of a manifest
 * an older version wrote ("<database>/<table>" row counts), and one that fails after the load
 * (its throwaways removed, the operation "failed", never "rollback-failed").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { POSTGRES, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { postgresRowCounts } from '../sources/index.js';
import { restoreStepsFromJournal } from '../operations/operation-steps.js';
import { readAudit } from './audit.js';
import { listJournals } from './journal.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { postgresFixture, writeSnapshot } from './testing/snapshot-fixture.js';
import { runVerify } from './verify.js';

let t: LabRestore;
let snap: Manifest;
let legacy: Manifest;
const pg = uniqueName('hs-rst-pg');

beforeAll(async () => {
  t = await labRestore();
  const db = t.lab.stacks.production as unknown as { database: { container: string; name: string } };
  const prod = await t.engine(t.ids.production);
  snap = await writeSnapshot(t.backend, 'pgtest', { id: t.ids.production, name: 'production' }, [
    await postgresFixture(prod, { id: t.ids.production, name: 'production' }, db.database.container, POSTGRES),
  ]);
  // The same dump as an older version described it: no databaseRowCounts, rowCounts keyed
  // "<database>/<table>" (plus a key that names no database, which cannot be checked).
  const fixture = await postgresFixture(prod, { id: t.ids.production, name: 'production' }, db.database.container, POSTGRES);
  const rowCounts: Record<string, number> = { ghost: 7 };
  for (const [d, tables] of Object.entries(fixture.databaseRowCounts!)) for (const [table, n] of Object.entries(tables)) rowCounts[`${d}/${table}`] = n;
  legacy = await writeSnapshot(t.backend, 'pglegacy', { id: t.ids.production, name: 'production' }, [{ ...fixture, databaseRowCounts: undefined, rowCounts }]);
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

  it('verify of an older manifest ("<database>/<table>" row counts): compared in their databases; what names no database is "not checked", never "missing"', async () => {
    const r = await runVerify(t.deps, { repositoryId: t.repositoryId, snapshotId: legacy.id, hostId: t.ids.uat });
    expect(r.ok).toBe(true);
    const checks = r.verification[0]!.checks;
    expect(checks.find((c) => c.name === 'rows shop.orders')).toMatchObject({ ok: true, actual: expect.stringMatching(/^\d+$/) });
    expect(checks.find((c) => c.name === 'rows ghost')).toMatchObject({ ok: true, expected: '7', actual: expect.stringContaining('not checked') });
    expect(checks.some((c) => c.actual === 'missing')).toBe(false);
  });

  it('a verify that fails after loading the throwaway: the throwaways removed, state "failed" (never "rollback-failed"), audited', async () => {
    const failing = {
      ...t.deps,
      beforeStep: (step: string, j: { kind: string }) => {
        if (j.kind === 'verify' && step === 'verify') throw new Error('injected failure before the checks');
      },
    };
    const err = await runVerify(failing, { repositoryId: t.repositoryId, snapshotId: snap.id, hostId: t.ids.uat }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('injected failure');
    expect((err as Error).message).toMatch(/removed the throwaway container hindsight-verify-\w+-db/);
    expect((err as Error).message).not.toMatch(/ROLLBACK FAILED|no safety copy/);
    const j = (await listJournals(t.configDir)).find((x) => x.kind === 'verify' && x.snapshotId === snap.id && x.state !== 'succeeded')!;
    expect(j).toMatchObject({ state: 'failed', failedStep: 'verify', error: 'injected failure before the checks' });
    expect(j.rolledBack).toEqual([expect.stringMatching(/^removed the throwaway container /)]);
    expect(j.leftovers).toBeUndefined();
    expect(restoreStepsFromJournal(j).at(-1)).toMatchObject({ kind: 'rollback', state: 'done', description: 'Remove the throwaway volumes and containers' });
    expect(await dockerCli(t.lab.machines.uat, 'ps', '-a', '-q', '--filter', `label=org.hindsight.verify=${j.id}`)).toBe('');
    const [audit] = await readAudit(t.configDir, { text: j.id, limit: 5 });
    expect(audit).toMatchObject({ kind: 'verify', result: 'failed' });
  });
});
