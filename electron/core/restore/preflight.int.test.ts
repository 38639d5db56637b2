/**
 * restore.preflight against the lab (snapshot of production: a volume and shop-db-1's PostgreSQL,
 * checked against uat), and a restore failed by the test-only fault hook: the operation's steps,
 * rollback, restarted containers and log, as the console reads them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightCheck } from '../../../shared/contract/restore.js';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { OperationsHub } from '../operations/operations-hub.js';
import { getOperation, operationLogs } from '../operations/operations-view.js';
import { BUSYBOX, inVolume, POSTGRES, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { faultHookFromEnv } from '../../web/test-fault.js';
import { readAudit } from './audit.js';
import { targetInventory } from './data-moves.js';
import { dataRootProbe } from './preflight.js';
import { restorePreflight } from './run-preflight.js';
import { runRestore, type RestoreDeps } from './runner.js';
import { engineId } from '../docker/engine-id.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { postgresFixture, volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let snap: Manifest;
const src = uniqueName('hs-pf-src');
const existing = uniqueName('hs-pf-existing');
const fresh = uniqueName('hs-pf-new');
const user = uniqueName('hs-pf-user');
const uat = () => t.lab.machines.uat;
const prod = () => t.lab.machines.production;
const byId = (checks: PreflightCheck[], id: string) => checks.filter((c) => c.id === id);

beforeAll(async () => {
  t = await labRestore();
  await dockerCli(prod(), 'volume', 'create', src);
  await inVolume(prod(), src, 'echo hello > /v/a.txt && mkdir /v/d && echo x > /v/d/b');
  const host = { id: t.ids.production, name: 'production' };
  snap = await writeSnapshot(t.backend, 'pf', host, [
    volumeFixture(await t.engine(t.ids.production), host, src),
    await postgresFixture(await t.engine(t.ids.production), host, 'shop-db-1', POSTGRES),
  ]);
  await dockerCli(uat(), 'volume', 'create', existing);
  await inVolume(uat(), existing, 'echo before > /v/before.txt');
  await dockerCli(uat(), 'run', '-d', '--name', user, '--network', 'none', '-v', `${existing}:/data`, BUSYBOX, 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait');
}, 180_000);

afterAll(async () => {
  await removeQuietly(uat(), 'container', user);
  for (const v of [existing, fresh]) await removeQuietly(uat(), 'volume', v);
  await removeQuietly(prod(), 'volume', src);
  await t?.dispose();
});

const input = (over: Record<string, unknown> = {}) => ({ repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: t.ids.uat, map: {}, safetyCopy: true, ...over });

describe('restore.preflight on uat', () => {
  it('passes for a new volume and uat\'s own shop-db-1 (same PostgreSQL major), without changing anything', async () => {
    const before = await dockerCli(uat(), 'volume', 'ls', '-q');
    const r = await restorePreflight(t.deps, input({ map: { files: fresh, db: 'shop-db-1' } }));
    expect(r.ok).toBe(true);
    expect(byId(r.checks, 'reachability')[0]).toMatchObject({ status: 'pass' });
    expect(byId(r.checks, 'protected')[0]).toMatchObject({ status: 'pass' });
    expect(byId(r.checks, 'target').map((c) => [c.source, c.status])).toEqual([['files', 'pass'], ['db', 'pass']]);
    expect(byId(r.checks, 'target')[0]!.detail).toContain('will be created');
    expect(byId(r.checks, 'postgres-version')[0]).toMatchObject({ status: 'pass', detail: expect.stringContaining('PostgreSQL 15') });
    expect(byId(r.checks, 'free-space')[0]).toMatchObject({ status: 'pass', detail: expect.stringContaining('Docker data root') });
    expect(byId(r.checks, 'lock')[0]).toMatchObject({ status: 'pass' });
    expect(await dockerCli(uat(), 'volume', 'ls', '-q')).toBe(before);
  });

  it('an existing volume with a running user: warns naming it, measures the volume', async () => {
    const r = await restorePreflight(t.deps, input({ map: { files: existing }, sources: ['files'] }));
    expect(r.ok).toBe(true);
    expect(byId(r.checks, 'users')[0]).toMatchObject({ status: 'warn', detail: expect.stringContaining(user) });
    expect(byId(r.checks, 'free-space')[0]).toMatchObject({ status: 'pass', source: 'files', detail: expect.stringContaining('once') });
    expect(byId(r.checks, 'safety-space')[0]).toMatchObject({ status: 'pass' });
    expect(await dockerCli(uat(), 'inspect', '-f', '{{.State.Status}}', user)).toBe('running');
  });

  it('fails when another operation holds the target, and when the database container is missing', async () => {
    const release = await t.deps.locks.acquire('20261122T000000Z-restore-aaaaaa', [{ engineId: await engineId(await t.engine(t.ids.uat)), kind: 'volume', name: existing }]);
    try {
      const r = await restorePreflight(t.deps, input({ map: { files: existing }, sources: ['files'] }));
      expect(r.ok).toBe(false);
      expect(byId(r.checks, 'lock')[0]).toMatchObject({ status: 'fail', detail: expect.stringContaining('20261122T000000Z-restore-aaaaaa') });
    } finally {
      await release();
    }
    const r = await restorePreflight(t.deps, input({ map: { files: fresh, db: 'hs-no-such-db' } }));
    expect(r.ok).toBe(false);
    expect(byId(r.checks, 'target').find((c) => c.source === 'db')).toMatchObject({ status: 'fail', detail: expect.stringContaining('no container hs-no-such-db') });
  });

  it('a protected host: a warning that asks for its name', async () => {
    const r = await restorePreflight(t.deps, { ...input({ map: { files: fresh }, sources: ['files'] }), targetHostId: t.ids.production });
    expect(byId(r.checks, 'protected')[0]).toMatchObject({ status: 'warn', detail: expect.stringContaining('type its name') });
  });
});

describe('a restore failed by the test fault hook (restore:verify)', () => {
  it('rolls back; the operation shows verify failed, the data rolled back, the user restarted, and its log', async () => {
    const changed: string[] = [];
    const deps: RestoreDeps = {
      ...t.deps,
      operations: new OperationsHub(t.configDir, (id) => changed.push(id)),
      beforeStep: faultHookFromEnv({ HINDSIGHT_TEST_FAULT: 'restore:verify', HINDSIGHT_TEST_FAULTS_ENABLED: '1' }, () => undefined),
    };
    const err = await runRestore(deps, input({ map: { files: existing }, sources: ['files'] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringContaining('Test fault injected at the start of step verify') });
    expect((err as Error).message).toContain('rolled back');
    expect(await inVolume(uat(), existing, 'cat /v/before.txt')).toBe('before');
    const id = changed[0]!;
    const op = await getOperation({ configDir: t.configDir, active: deps.active }, id);
    expect(op).toMatchObject({ kind: 'restore', state: 'rolled-back', restarted: [user] });
    expect(op.rolledBack.join()).toContain('safety copy');
    expect(op.steps.map((s) => `${s.kind}:${s.state}`)).toEqual([
      'preflight:done',
      'stop-users:done',
      'safety-copy:done',
      'restore:rolled-back',
      'verify:failed',
      'restart:skipped',
      'rollback:done',
    ]);
    const log = await operationLogs({ configDir: t.configDir, active: deps.active }, id, -1, 5000);
    expect(log.some((l) => l.level === 'error' && l.message.includes('Failed during verify'))).toBe(true);
    expect(new Set(changed)).toEqual(new Set([id]));
    expect(changed.length).toBeGreaterThanOrEqual(6);
  });

  it('a restore that succeeds reports restarted containers and its time', async () => {
    const r = await runRestore({ ...t.deps, operations: new OperationsHub(t.configDir) }, input({ map: { files: existing }, sources: ['files'] }));
    expect(r).toMatchObject({ state: 'succeeded', restarted: [user], rolledBack: [] });
    expect(r.seconds).toBeGreaterThan(0);
    const op = await getOperation({ configDir: t.configDir, active: t.deps.active }, r.operationId);
    expect(op.result).toMatchObject({ state: 'succeeded', restarted: [user] });
    expect(op.verification[0]).toMatchObject({ ok: true, target: existing });
  });

  it('without a safety copy: the reason given is in the operation log and the audit record', async () => {
    const reason = `uat is scratch space ${Date.now()}`;
    const r = await runRestore({ ...t.deps, operations: new OperationsHub(t.configDir) }, input({ map: { files: existing }, sources: ['files'], safetyCopy: false, note: reason }));
    expect(r.state).toBe('succeeded');
    const lines = await operationLogs({ configDir: t.configDir, active: t.deps.active }, r.operationId, -1, 5000);
    expect(lines.find((l) => l.message.includes('Safety copy OFF'))).toMatchObject({ level: 'warn' });
    expect(lines.some((l) => l.message.includes(reason))).toBe(true);
    const audit = await readAudit(t.configDir, { text: r.operationId, limit: 5 });
    expect(audit[0]).toMatchObject({ operationId: r.operationId, note: reason, result: 'succeeded' });
  });

  it('new volumes are measured on the Docker data root, never through a tmpfs volume of the host', async () => {
    const tmpfs = uniqueName('hs-pf-tmpfs');
    await dockerCli(uat(), 'volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', tmpfs);
    try {
      const inventory = await targetInventory(await t.engine(t.ids.uat));
      expect(inventory.volumes.find((v) => v.name === tmpfs)).toMatchObject({ dataRoot: false });
      expect(inventory.volumes.find((v) => v.name === existing)).toMatchObject({ dataRoot: true });
      expect(dataRootProbe(inventory)).not.toBe(tmpfs);
      // The data root has far more than 1 MiB: a new volume's check passes whatever order the engine lists volumes in.
      const r = await restorePreflight(t.deps, input({ map: { files: fresh }, sources: ['files'] }));
      const space = r.checks.find((c) => c.id === 'free-space' && c.detail.includes('Docker data root'));
      expect(space).toMatchObject({ status: 'pass' });
    } finally {
      await removeQuietly(uat(), 'volume', tmpfs);
    }
  });
});
