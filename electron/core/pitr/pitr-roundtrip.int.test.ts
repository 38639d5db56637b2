/**
 * Point-in-time recovery on the lab (issue 10 item 2): production's PostgreSQL 15 archived by
 * `archiveStep` (slot, pg_receivewal, base backup) into a repository; rows inserted before a time
 * and after it; the cluster recovered to that time onto a PostgreSQL on uat whose data sits in a
 * named volume: the rows from before are there, the ones from after are not, the old data is kept
 * in a safety volume, and uat keeps its own configuration (production's settings files stay behind). A time outside the window, a forged segment list and a tampered segment are
 * refused or fail before uat's data is touched. The recovery runs as an operation (pitr-operation.ts):
 * its targets locked, a journal whose steps follow the run, an audit line; and a journal left by a
 * crash is rolled back by the restores' own rollback.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { LocalBackend, listKeys } from '../repository/index.js';
import { consoleSigner, TrustedWriters, type ManifestSigner } from '../signing/index.js';
import { labEngines, POSTGRES, removeQuietly, uniqueName, type LabEngines } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { readClusterArchive, walPrefix } from './archive-records.js';
import type { TaskEvent } from '../../../shared/contract/tasks.js';
import { engineId } from '../docker/engine-id.js';
import { restoreStepsFromJournal } from '../operations/operation-steps.js';
import { readAudit } from '../restore/audit.js';
import { readJournal, writeJournal } from '../restore/journal.js';
import type { RestoreDeps } from '../restore/runner.js';
import { rollbackOperation } from '../restore/rollback.js';
import { TargetLocks } from '../restore/target-lock.js';
import { asPitrOperation } from './pitr-operation.js';
import { pitrResultOf, planPointInTime, recoverToTime, restorePointInTime } from './pitr-restore.js';
import { archiveStep, slotName, stopArchiving } from './wal-archive.js';

let lab: LabEngines;
let prod: Engine;
let uat: Engine;
let dir: string;
let repo: LocalBackend;
let signer: ManifestSigner;
let trusted: TrustedWriters;
const source = uniqueName('hs-test-pitr-src');
const target = uniqueName('hs-test-pitr-uat');
const targetVolume = `${target}-data`;
const slot = slotName(`repo-${source}`);
const host = { id: 'production', name: 'production' };
let cluster = '';

const sql = (machine: 'production' | 'uat', container: string, q: string) => dockerCli(lab.machine(machine), 'exec', container, 'psql', '-U', 'postgres', '-Atc', q);
const step = () => archiveStep({ engine: prod, container: source, backend: repo, host, signer, trusted, slot, baseEveryMs: 7 * 86_400_000, stateFile: path.join(dir, 'state.json') });

beforeAll(async () => {
  lab = await labEngines();
  prod = await lab.engine('production');
  uat = await lab.engine('uat');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-pitr-rt-'));
  repo = new LocalBackend(path.join(dir, 'repo'));
  signer = await consoleSigner(dir);
  trusted = new TrustedWriters(dir);
  await dockerCli(lab.machine('production'), 'run', '-d', '--name', source, '--network', 'none', '--label', 'org.hindsight.test=sources', POSTGRES);
  await dockerCli(lab.machine('uat'), 'run', '-d', '--name', target, '--network', 'none', '--label', 'org.hindsight.test=sources', '-v', `${targetVolume}:/var/lib/postgresql/data`, POSTGRES);
  for (const [m, c] of [['production', source], ['uat', target]] as const) await waitFor(`postgres in ${c}`, async () => (await sql(m, c, 'SELECT 1').catch(() => '')) === '1', 60_000);
  await sql('uat', target, "CREATE TABLE uat_only AS SELECT 'was here' AS note");
  // Each keeps its own settings: production's must not arrive on uat with the data.
  await sql('production', source, "ALTER SYSTEM SET work_mem = '3MB'");
  await sql('uat', target, "ALTER SYSTEM SET work_mem = '7MB'");
}, 180_000);

afterAll(async () => {
  await removeQuietly(lab.machine('production'), 'container', source);
  await removeQuietly(lab.machine('uat'), 'container', target);
  for (const v of (await dockerCli(lab.machine('uat'), 'volume', 'ls', '-q').catch(() => '')).split('\n').filter((n) => n.includes(target))) await removeQuietly(lab.machine('uat'), 'volume', v);
  await lab.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('point-in-time recovery', () => {
  let at: Date;

  it('archives: a slot, pg_receivewal running, a base backup, segments with a signed list', async () => {
    const first = await step();
    cluster = first.cluster;
    expect(first.receiver).toBe('started');
    expect(first.base?.cluster).toBe(cluster);
    expect(await sql('production', source, `SELECT count(*) FROM pg_replication_slots WHERE slot_name = '${slot}'`)).toBe('1');
    expect((await step()).receiver).toBe('running');

    await sql('production', source, "CREATE TABLE t (tag text, n int, at timestamptz DEFAULT clock_timestamp()); INSERT INTO t (tag, n) SELECT 'before', g FROM generate_series(1, 100) g");
    await new Promise((r) => setTimeout(r, 1500));
    at = new Date();
    await new Promise((r) => setTimeout(r, 1500));
    await sql('production', source, "INSERT INTO t (tag, n) SELECT 'after', g FROM generate_series(1, 50) g");
    await sql('production', source, 'SELECT pg_switch_wal()');
    // Until the segment holding the rows from after has been received and shipped.
    await waitFor('the archive to cover the time', async () => {
      await step();
      return planPointInTime({ engine: uat, backend: repo, trusted, cluster, at, target }).then(
        () => true,
        () => false,
      );
    }, 60_000);
    const archive = await readClusterArchive(repo, cluster, trusted);
    expect(archive.problems).toEqual([]);
    expect(archive.segments.size).toBeGreaterThan(0);
  }, 180_000);

  it('refuses a time outside the window before anything is touched', async () => {
    await expect(planPointInTime({ engine: uat, backend: repo, trusted, cluster, at: new Date(Date.now() - 86_400_000), target })).rejects.toThrow(/outside the recoverable window/);
    expect(await sql('uat', target, 'SELECT note FROM uat_only')).toBe('was here');
  });

  it('a tampered segment fails the recovery; uat keeps its data', async () => {
    const plan = await planPointInTime({ engine: uat, backend: repo, trusted, cluster, at, target });
    const victim = plan.segments[plan.segments.length - 1]!;
    const original = Buffer.concat(await (await repo.getObject(victim.object.key)).toArray());
    const bent = Buffer.from(original);
    bent[bent.length >> 1] = bent[bent.length >> 1]! ^ 0xff;
    await repo.putObject(victim.object.key, Readable.from([bent]));
    try {
      await expect(restorePointInTime({ engine: uat, backend: repo, plan, opId: 'pitr-test-tampered' })).rejects.toThrow(/checksum|sha-?256|integrity|differ/i);
      expect(await sql('uat', target, 'SELECT note FROM uat_only')).toBe('was here');
    } finally {
      await repo.putObject(victim.object.key, Readable.from([original]));
    }
  }, 120_000);

  it('a list signed by nobody trusted is left out', async () => {
    const other = new LocalBackend(path.join(dir, 'forged'));
    const keys = await listKeys(repo, `pitr/${cluster}/`);
    for (const k of keys) await other.putObject(k, await repo.getObject(k));
    const list = keys.find((k) => k.includes('/lists/'))!;
    const raw = JSON.parse(Buffer.concat(await (await other.getObject(list)).toArray()).toString()) as { segments: { receivedAt: string }[] };
    raw.segments[0]!.receivedAt = new Date(0).toISOString();
    await other.putObject(list, Readable.from([Buffer.from(JSON.stringify(raw))]));
    const archive = await readClusterArchive(other, cluster, trusted);
    expect(archive.problems.join('\n')).toMatch(/does not match its content/);
  });

  let opId = '';
  const locks = () => new TargetLocks(dir);

  it('recovers to the time onto uat, as an operation: rows from before are there, rows from after are not', async () => {
    const plan = await planPointInTime({ engine: uat, backend: repo, trusted, cluster, at, target });
    expect(plan.target.dataVolume).toBe(targetVolume);
    const events: TaskEvent[] = [];
    const held = locks();
    let holder: string | undefined;
    const facts = { host: { id: 'uat', name: 'uat' }, repositoryId: 'repo', plan: pitrResultOf(plan), image: plan.target.image, sourceHostName: 'production' };
    const r = await asPitrOperation({ configDir: dir, locks: held, active: new Set(), engineFor: async () => uat }, facts, { signal: new AbortController().signal, report: (e) => events.push(e) }, async (id, ctx) => {
      holder = await held.holder({ engineId: await engineId(uat), kind: 'container', name: target });
      return recoverToTime({ engine: uat, backend: repo, trusted, cluster, at: at.toISOString(), target, opId: id, ctx });
    });
    opId = r.operationId;
    expect(holder).toBe(opId);
    expect(await sql('uat', target, "SELECT count(*) FILTER (WHERE tag = 'before') || ' ' || count(*) FILTER (WHERE tag = 'after') FROM t")).toBe('100 0');
    expect(await sql('uat', target, 'SELECT system_identifier FROM pg_control_system()')).toBe(cluster);
    expect(await sql('uat', target, 'SELECT pg_is_in_recovery()')).toBe('f');
    expect(await sql('uat', target, "SELECT count(*) FROM pg_class WHERE relname = 'uat_only'")).toBe('0');
    expect(await sql('uat', target, 'SHOW work_mem')).toBe('7MB');
    const fractions = events.flatMap((e) => (e.type === 'progress' && e.fraction !== null ? [e.fraction] : []));
    expect(fractions.at(-1)).toBe(1);
    // The journal followed the run's stages; the steps view shows each done; one audit line.
    const journal = (await readJournal(dir, opId))!;
    expect(journal).toMatchObject({ state: 'succeeded', pointInTime: { cluster, at: at.toISOString() } });
    expect(journal.history.map((h) => h.step)).toEqual(['preflight', 'recover', 'stop-users', 'safety-copy', 'restore', 'restart', 'verify']);
    expect(restoreStepsFromJournal(journal).map((s) => `${s.kind}:${s.state}`)).toEqual(['preflight:done', 'recover:done', 'stop-users:done', 'safety-copy:done', 'restore:done', 'restart:done', 'verify:done']);
    expect((await readAudit(dir, { limit: 1 }))[0]).toMatchObject({ operationId: opId, kind: 'restore', result: 'succeeded', snapshotId: `pitr:${cluster}@${at.toISOString()}` });
    expect(await held.holder({ engineId: await engineId(uat), kind: 'container', name: target })).toBeUndefined();
    // What uat had is kept in the safety volume, on uat, labelled with the operation (the sweep's).
    const safety = r.done!.safetyVolume;
    expect(await dockerCli(lab.machine('uat'), 'volume', 'ls', '-q', '--filter', `label=org.hindsight.safety-copy=${opId}`)).toBe(safety);
    const kept = await dockerCli(lab.machine('uat'), 'run', '--rm', '-v', `${safety}:/s:ro`, '--entrypoint', 'cat', POSTGRES, '/s/PG_VERSION');
    expect(kept).toBe('15');
    // No helper or recovery volume left.
    expect(await dockerCli(lab.machine('uat'), 'ps', '-aq', '--filter', 'label=org.hindsight.helper.purpose=pitr-recovery')).toBe('');
    expect(await dockerCli(lab.machine('uat'), 'volume', 'ls', '-q', '--filter', `label=org.hindsight.pitr=${cluster}`)).toBe('');
  }, 240_000);

  it('a recovery whose process died is rolled back from its journal, as any restore: uat has its old data back', async () => {
    // The journal as a crash just after the server was started would have left it.
    const journal = (await readJournal(dir, opId))!;
    await writeJournal(dir, { ...journal, state: 'running', step: 'restart', pid: 2 ** 22 + 4321, endedAt: null });
    // Until it is rolled back, no new recovery onto that volume starts.
    const plan = await planPointInTime({ engine: uat, backend: repo, trusted, cluster, at, target });
    const facts = { host: { id: 'uat', name: 'uat' }, repositoryId: 'repo', plan: pitrResultOf(plan), image: plan.target.image, sourceHostName: 'production' };
    const refused = asPitrOperation({ configDir: dir, locks: locks(), active: new Set(), engineFor: async () => uat }, facts, { signal: new AbortController().signal, report: () => undefined }, () => Promise.reject(new Error('must not run')));
    await expect(refused).rejects.toThrow(new RegExp(`Operation ${opId} was interrupted on ${targetVolume}; roll it back first`));
    const deps = { configDir: dir, engineFor: async () => uat, locks: locks(), active: new Set<string>() } as unknown as RestoreDeps;
    const r = await rollbackOperation(deps, opId);
    expect(r.state).toBe('rolled-back');
    await waitFor('uat to answer again', async () => (await sql('uat', target, 'SELECT note FROM uat_only').catch(() => '')) === 'was here', 60_000);
    expect(await sql('uat', target, "SELECT count(*) FROM pg_class WHERE relname = 't'")).toBe('0');
  }, 240_000);

  it('a time after the last commit: no commit past it in the archive, recovered to its end (the same state)', async () => {
    await sql('production', source, "INSERT INTO t (tag, n) SELECT 'late', g FROM generate_series(1, 7) g");
    await new Promise((r) => setTimeout(r, 1500));
    const quiet = new Date();
    await new Promise((r) => setTimeout(r, 1500));
    await sql('production', source, 'SELECT pg_switch_wal()'); // no transaction: nothing commits after the time
    await waitFor('the archive to cover the quiet time', async () => {
      await step();
      return planPointInTime({ engine: uat, backend: repo, trusted, cluster, at: quiet, target }).then(
        () => true,
        () => false,
      );
    }, 60_000);
    const logs: string[] = [];
    await restorePointInTime({ engine: uat, backend: repo, plan: await planPointInTime({ engine: uat, backend: repo, trusted, cluster, at: quiet, target }), opId: 'pitr-test-quiet', log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/no transaction committed after/);
    expect(await sql('uat', target, "SELECT count(*) FILTER (WHERE tag = 'before') || ' ' || count(*) FILTER (WHERE tag = 'after') || ' ' || count(*) FILTER (WHERE tag = 'late') FROM t")).toBe('100 50 7');
  }, 240_000);

  it('stops archiving: the receiver stopped, the slot dropped', async () => {
    expect((await stopArchiving({ engine: prod, container: source, slot })).slotDropped).toBe(true);
    expect(await sql('production', source, `SELECT count(*) FROM pg_replication_slots WHERE slot_name = '${slot}'`)).toBe('0');
    expect(await listKeys(repo, walPrefix(cluster))).not.toEqual([]);
  }, 60_000);
});
