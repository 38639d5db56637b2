/**
 * The console's backend against the lab: a small volume of production backed up (through the router,
 * as a task) to a local-folder repository, then — tasks.get while it runs; the backup as an
 * operation (kind backup, its steps, its log persisted and readable from a new backend on the same
 * config dir); snapshot summaries (a day range, limit/truncated, the manifest cache, a
 * verification record); browsing the file index; and backup.discover on production's stack.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRunInput, type BackupResult, type DiscoveredSource, type SnapshotFiles } from '../../../shared/contract/backup.js';
import { HostInput } from '../../../shared/contract/hosts.js';
import { lookupMember, type TaskMember } from '../../../shared/contract/index.js';
import { RepositoryInput } from '../../../shared/contract/repositories.js';
import { createBackend, type Backend } from '../backend.js';
import { LocalBackend, writeJsonObject } from '../repository/index.js';
import { verifyRecordKey } from '../restore/verify.js';
import { createRouter, type Router } from '../rpc/router.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, readLab, sshConnectionOf, tempConfigDir } from '../testing/lab.js';
import { SnapshotSummaryCache, snapshotSummaries } from './snapshot-summaries.js';

const lab = readLab();
const prod = lab.machines.production;
const volume = uniqueName('hs-console');
let cfg: Awaited<ReturnType<typeof tempConfigDir>>;
let backend: Backend;
let router: Router;
let hostId: string;
let repositoryId: string;
const events: Array<{ name: string; payload: unknown }> = [];
let first: BackupResult;
let second: BackupResult;
let taskId: string;
const midRun: { taskSeen?: unknown; listed?: unknown } = {};

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(): Promise<Backend> {
  const b = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, seedLocalHost: false, agentSocket: undefined });
  b.onEvent((name, payload) => events.push({ name, payload }));
  return b;
}

beforeAll(async () => {
  cfg = await tempConfigDir({ pinned: true });
  backend = await open();
  router = createRouter(backend, { mode: 'test', configDir: cfg.dir, appVersion: 'test', logger: { warn: () => undefined, error: () => undefined } });
  hostId = (await backend.handlers.hosts.add(HostInput.parse({ name: 'production', connection: sshConnectionOf(prod) }))).id;
  repositoryId = (await backend.handlers.repositories.add(RepositoryInput.parse({ name: 'console-it', kind: 'local', path: path.join(cfg.dir, 'repo') }))).id;
  await backend.handlers.repositories.init({ id: repositoryId });
  await dockerCli(prod, 'volume', 'create', volume);
  // 24 MiB of random data (time to look at the task mid-run) and a small tree to browse.
  await inVolume(
    prod,
    volume,
    'mkdir -p /v/docs/old "/v/empty dir" && echo hi > /v/docs/a.txt && echo yo > /v/docs/old/b.txt && ln -s docs/a.txt /v/link && head -c 25165824 /dev/urandom > /v/big.bin',
  );

  // The backup as the UI starts it: a task of the router.
  const member = lookupMember('backup.run') as TaskMember;
  const input = BackupRunInput.parse({ hostId, repositoryId, set: 'console', sources: [{ kind: 'volume', volume, name: 'files' }] });
  taskId = router.tasks.start('backup.run', member, backend.handlers.backup.run as never, input);
  for (let i = 0; i < 600 && !midRun.taskSeen; i++) {
    const now = router.tasks.get(taskId);
    if (now?.info.state === 'running' && now.progress?.step === 'copy' && now.logs.length) {
      midRun.taskSeen = now;
      midRun.listed = (await backend.handlers.operations.list({})).find((o) => o.kind === 'backup');
    }
    await settle(20);
  }
  for (let i = 0; i < 1500 && router.tasks.get(taskId)?.info.state === 'running'; i++) await settle(20);
  const end = router.tasks.get(taskId)?.end;
  if (end?.type !== 'done') throw new Error(`the backup did not succeed: ${JSON.stringify(end)}`);
  first = end.result as BackupResult;
  // A second, smaller snapshot of the same volume (directly, like the CLI).
  await inVolume(prod, volume, 'rm /v/big.bin && echo more > /v/docs/c.txt');
  // Snapshot ids (and so the order of snapshots) have a resolution of one second: two backups in
  // the same second order by their random suffix. "Oldest first" below needs the second one later.
  const firstSecond = Math.floor(Date.parse(first.startedAt) / 1000);
  while (Math.floor(Date.now() / 1000) <= firstSecond) await settle(50);
  second = await backend.handlers.backup.run.run(BackupRunInput.parse({ hostId, repositoryId, set: 'console', sources: [{ kind: 'volume', volume, name: 'files' }] }), {
    signal: new AbortController().signal,
    report: () => undefined,
  });
}, 180_000);

afterAll(async () => {
  router?.dispose();
  await backend?.dispose();
  await removeQuietly(prod, 'volume', volume);
  await cfg?.cleanup();
});

describe('a backup seen from the console', () => {
  it('tasks.get mid-run: running, its copy step and source with bytes, log lines; operations.list shows it running with its task', () => {
    expect(midRun.taskSeen).toMatchObject({
      info: { state: 'running', method: 'backup.run' },
      progress: { type: 'progress', step: 'copy', source: 'files' },
      logs: expect.arrayContaining([expect.objectContaining({ type: 'log', message: expect.stringContaining('Backing up 1 source(s) of production') })]),
      end: null,
    });
    expect(midRun.listed).toMatchObject({ kind: 'backup', state: 'running', taskId, snapshotId: first.snapshotId, targets: ['files'], targetHostName: 'production' });
  });

  it('is an operation: kind backup, plain title, steps copy → manifest done, the result; events for operations and the snapshot', async () => {
    const ops = await backend.handlers.operations.list({});
    const op = ops.find((o) => o.snapshotId === first.snapshotId)!;
    expect(op).toMatchObject({ kind: 'backup', state: 'succeeded', title: 'Back up console (production)', targetHostId: hostId, repositoryId, step: 'done' });
    expect(op.taskId).toBeUndefined();
    expect(ops.filter((o) => o.kind === 'backup')).toHaveLength(2);
    const detail = await backend.handlers.operations.get({ id: op.id });
    expect(detail.steps.map((s) => `${s.kind}${s.source ? ` ${s.source}` : ''}:${s.state}`)).toEqual(['copy files:done', 'manifest:done']);
    expect(detail.steps[0]!.startedAt).toBeDefined();
    expect(detail.result).toMatchObject({ snapshotId: first.snapshotId, sources: [{ name: 'files', kind: 'volume' }] });
    expect(events.filter((e) => e.name === 'operations.onChanged' && (e.payload as { id: string }).id === op.id).length).toBeGreaterThanOrEqual(3);
    expect(events).toContainEqual({ name: 'snapshots.onChanged', payload: { repositoryId, snapshotId: first.snapshotId } });
  });

  it('leaves an audit record when it ends: kind backup, from host: sources, to repository: snapshot, its result (a failed one with its error)', async () => {
    const op = (await backend.handlers.operations.list({})).find((o) => o.snapshotId === first.snapshotId)!;
    const records = await backend.handlers.operations.audit({ text: op.id, limit: 10 });
    expect(records).toEqual([
      expect.objectContaining({ operationId: op.id, kind: 'backup', snapshotId: first.snapshotId, repositoryId, from: 'production: files', to: `console-it: ${first.snapshotId}`, result: 'succeeded' }),
    ]);
    expect(records[0]!.error).toBeUndefined();
    expect(Date.parse(records[0]!.endedAt)).toBeGreaterThanOrEqual(Date.parse(records[0]!.startedAt));
    // A backup that fails (its volume does not exist) is audited too, with the error.
    const missing = uniqueName('hs-console-missing');
    const input = BackupRunInput.parse({ hostId, repositoryId, set: 'console-fail', sources: [{ kind: 'volume', volume: missing, name: 'gone' }] });
    await expect(backend.handlers.backup.run.run(input, { signal: new AbortController().signal, report: () => undefined })).rejects.toThrow();
    const failed = (await backend.handlers.operations.list({})).find((o) => o.kind === 'backup' && o.title.includes('console-fail'))!;
    expect(failed.state).toBe('failed');
    const [rec] = await backend.handlers.operations.audit({ text: failed.id, limit: 10 });
    expect(rec).toMatchObject({ operationId: failed.id, kind: 'backup', from: 'production: gone', result: 'failed', error: expect.stringContaining(missing) });
    expect(rec!.to).toMatch(/^console-it: \S+-console-fail-\S+ \(not made\)$/);
  });

  it('keeps its log on disk: numbered lines, read after a seq, and still there from a new backend on the same config dir', async () => {
    const op = (await backend.handlers.operations.list({})).find((o) => o.snapshotId === first.snapshotId)!;
    const lines = await backend.handlers.operations.logs({ id: op.id, afterSeq: -1, limit: 5000 });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i));
    expect(lines.some((l) => l.message.includes(`Snapshot ${first.snapshotId} complete`))).toBe(true);
    expect(await backend.handlers.operations.logs({ id: op.id, afterSeq: 1, limit: 1 })).toEqual([lines[2]]);
    await fs.access(path.join(cfg.dir, 'operations', `${op.id}.log.jsonl`));

    const again = await open();
    try {
      expect(await again.handlers.operations.logs({ id: op.id, afterSeq: -1, limit: 5000 })).toEqual(lines);
      expect((await again.handlers.operations.list({})).find((o) => o.id === op.id)).toMatchObject({ kind: 'backup', state: 'succeeded' });
    } finally {
      await again.dispose();
    }
  });
});

describe('snapshot summaries', () => {
  it('the day range, oldest first, with what the manifests say; limit → truncated; another day → nothing', async () => {
    const day = first.startedAt.slice(0, 10);
    const all = await backend.handlers.snapshots.summaries({ repositoryId, from: `${day}T00:00:00Z`, to: `${day}T23:59:59Z`, limit: 2000 });
    const ours = all.items.filter((s) => s.set === 'console');
    expect(ours.map((s) => s.id)).toEqual([first.snapshotId, second.snapshotId]);
    expect(ours[0]).toMatchObject({
      repositoryId,
      hostId,
      hostName: 'production',
      sources: [{ name: 'files', kind: 'volume', rawBytes: first.rawBytes, storedBytes: first.storedBytes }],
      rawBytes: first.rawBytes,
      encryption: 'none',
      verification: null,
    });
    expect(all.truncated).toBe(false);
    const one = await backend.handlers.snapshots.summaries({ repositoryId, set: 'console', from: `${day}T00:00:00Z`, to: `${day}T23:59:59Z`, limit: 1 });
    expect(one).toMatchObject({ truncated: true, items: [{ id: first.snapshotId }] });
    const before = await backend.handlers.snapshots.summaries({ repositoryId, from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z', limit: 10 });
    expect(before).toEqual({ items: [], truncated: false });
  });

  it('reads no manifest (the backups put their summaries in the catalog), and shows the newest verification record', async () => {
    const repo = new LocalBackend(path.join(cfg.dir, 'repo'));
    const cache = new SnapshotSummaryCache();
    const q = { set: 'console', from: first.startedAt, limit: 10 };
    await snapshotSummaries(repo, repositoryId, q, cache);
    expect(cache.reads).toBe(0);
    expect(cache.catalogRequests).toBeGreaterThan(0);
    await writeJsonObject(repo, verifyRecordKey(first.snapshotId, new Date('2026-01-01T00:00:00Z')), { ok: false, at: '2026-01-01T00:00:00Z', hostName: 'uat', error: 'old' });
    await writeJsonObject(repo, verifyRecordKey(first.snapshotId, new Date('2026-01-02T00:00:00Z')), { ok: true, at: '2026-01-02T00:00:00Z', hostName: 'uat', verification: [] });
    const again = await snapshotSummaries(repo, repositoryId, q, cache);
    expect(cache.reads).toBe(0);
    expect(again.items.map((s) => s.verification)).toEqual([{ ok: true, at: '2026-01-02T00:00:00Z', hostName: 'uat' }, null]);
  });
});

describe('the file index', () => {
  const files = (dir: string, snapshotId = first.snapshotId, source = 'files') => backend.handlers.snapshots.files({ repositoryId, snapshotId, source, dir, limit: 2000 });

  it('lists the root and a subdirectory, with sizes, types, link targets and children counts', async () => {
    const root: SnapshotFiles = await files('');
    expect(root.entries.map((e) => `${e.type} ${e.name}`)).toEqual(['dir docs', 'dir empty dir', 'file big.bin', 'symlink link']);
    expect(root.entries.find((e) => e.name === 'docs')).toMatchObject({ path: 'docs', children: 2 });
    expect(root.entries.find((e) => e.name === 'empty dir')).toMatchObject({ children: 0 });
    expect(root.entries.find((e) => e.name === 'big.bin')).toMatchObject({ size: 25165824 });
    expect(root.entries.find((e) => e.name === 'link')).toMatchObject({ linkname: 'docs/a.txt' });
    const docs = await files('docs');
    expect(docs.entries.map((e) => e.path)).toEqual(['docs/old', 'docs/a.txt']);
    expect(docs.entries[1]).toMatchObject({ size: 3, type: 'file' });
    expect((await files('docs', second.snapshotId)).entries.map((e) => e.name)).toEqual(['old', 'a.txt', 'c.txt']);
  });

  it('NOT_FOUND in words: no such source index, no such directory', async () => {
    await expect(files('', first.snapshotId, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('has no file index for nope') });
    await expect(files('docs/missing')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no directory "docs/missing"') });
  });
});

describe('backup.discover on production', () => {
  it("stack shop: shop_files recommended, PostgreSQL in shop-db-1 recommended, shop-db's data volume not", async () => {
    const found: DiscoveredSource[] = await backend.handlers.backup.discover({ hostId, stack: 'shop' });
    const byLabel = (re: RegExp) => found.find((f) => re.test(f.label));
    expect(byLabel(/^PostgreSQL in shop-db-1/)).toMatchObject({ spec: { kind: 'postgres', container: 'shop-db-1', mode: 'dumpall' }, recommended: true, stack: 'shop' });
    expect(byLabel(/^volume shop_files/)).toMatchObject({ spec: { kind: 'volume', volume: 'shop_files' }, recommended: true, containers: ['shop-app-1'] });
    expect(byLabel(/^volume shop_pgdata/)).toMatchObject({ recommended: false, reason: expect.stringContaining('backed up through the dump') });
    expect(found.every((f) => f.stack === 'shop')).toBe(true);
    // Without a stack: our test volume too (no container uses it).
    const everything = await backend.handlers.backup.discover({ hostId });
    expect(everything.find((f) => f.spec.kind === 'volume' && f.spec.volume === volume)).toMatchObject({ recommended: false });
  });
});
