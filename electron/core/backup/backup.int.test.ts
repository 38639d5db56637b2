/**
 * Backups against the real lab: production's shop_files volume and shop-db-1 PostgreSQL through the
 * SSH tunnel into each backend (local temp folder, the lab's S3, annex over SFTP) — manifest last,
 * checksums, the object readable with zstd and tar; as-of across snapshots made at injected times;
 * an SSH connection cut mid-backup and a cancel mid-backup leave no manifest and no object;
 * stopContainers stops the app container during the copy and starts it again.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { TcpRelay } from '../testing/tcp-relay.js';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRunInput, BackupSetAddInput, type BackupResult } from '../../../shared/contract/backup.js';
import { RepositoryInput } from '../../../shared/contract/repositories.js';
import { HostInput } from '../../../shared/contract/hosts.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { TaskEvent } from '../../../shared/contract/tasks.js';
import { Manifest } from '../../../shared/contract/snapshots.js';
import { createBackend, type Backend } from '../backend.js';
import { createBackend as createRepositoryBackend, initRepository, readJsonObject, type RepositoryBackend, RepositoriesStore, defaultSshDeps } from '../repository/index.js';
import { BUSYBOX, inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, LAB_JSON, readLab, sshConnectionOf, tempConfigDir } from '../testing/lab.js';
import { browseAsOf } from './browse.js';
import { runBackup } from './run-backup.js';

const run = promisify(execFile);
const lab = readLab();
const prod = lab.machines.production;
const labRaw = JSON.parse(readFileSync(LAB_JSON, 'utf8')) as {
  stacks: { production: { database: { rowCounts: Record<string, number> } } };
};
const EXPECTED_ROWS = labRaw.stacks.production.database.rowCounts;
const tag = randomBytes(4).toString('hex');

let cfg: Awaited<ReturnType<typeof tempConfigDir>>;
let backend: Backend;
let hostId: string;
let relayedHostId: string;
const repoIds: Record<'local' | 's3' | 'annex', string> = { local: '', s3: '', annex: '' };
const bigVolume = uniqueName('hs-backup-big');
let relay: TcpRelay;

function ctxFor(onEvent?: (e: TaskEvent) => void, signal = new AbortController().signal) {
  const events: TaskEvent[] = [];
  const ctx: TaskContext = {
    signal,
    report: (e) => {
      events.push(e);
      onEvent?.(e);
    },
  };
  return { ctx, events };
}

/** The backup.run task handler, with the input parsed as the router would. */
function runTask(input: BackupRunInput, ctx: TaskContext): Promise<BackupResult> {
  return backend.handlers.backup.run.run(BackupRunInput.parse(input), ctx);
}

async function openRepo(id: string): Promise<RepositoryBackend> {
  const store = new RepositoriesStore(cfg.dir);
  return createRepositoryBackend(await store.stored(id), await store.secrets(id), { configDir: cfg.dir, ssh: defaultSshDeps(cfg.dir) });
}

async function keysUnder(id: string, prefix: string): Promise<string[]> {
  const b = await openRepo(id);
  try {
    const out: string[] = [];
    for await (const o of b.list(prefix)) out.push(o.key);
    return out;
  } finally {
    await b.close();
  }
}

async function download(id: string, key: string): Promise<string> {
  const b = await openRepo(id);
  const file = path.join(cfg.dir, `dl-${randomBytes(4).toString('hex')}`);
  try {
    await pipeline(await b.getObject(key), (await fs.open(file, 'w')).createWriteStream());
  } finally {
    await b.close();
  }
  return file;
}

const sha256File = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

beforeAll(async () => {
  // A relay we can cut, between the client and production's sshd.
  relay = new TcpRelay(prod.address, prod.port);
  const relayPort = await relay.listen();

  cfg = await tempConfigDir({ pinned: true });
  const key = prod.hostKeyLine.split(' ').slice(1).join(' ');
  await fs.appendFile(path.join(cfg.dir, 'known_hosts'), `[127.0.0.1]:${relayPort} ${key}\n`);
  backend = await createBackend({ configDir: cfg.dir, userKnownHostsPath: null, seedLocalHost: false, agentSocket: undefined });
  const h = backend.handlers;
  hostId = (await h.hosts.add(HostInput.parse({ name: 'production', connection: sshConnectionOf(prod) }))).id;
  relayedHostId = (await h.hosts.add(HostInput.parse({ name: 'relayed', connection: sshConnectionOf(prod, { address: '127.0.0.1', port: relayPort }) }))).id;

  const s3 = lab.s3!;
  const annex = lab.annex!;
  repoIds.local = (await h.repositories.add(RepositoryInput.parse({ name: 'it-local', kind: 'local', path: path.join(cfg.dir, 'repo') }))).id;
  repoIds.s3 = (
    await h.repositories.add(RepositoryInput.parse({
      name: 'it-s3',
      kind: 's3',
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: 'hindsight-lab',
      prefix: `backup-it-${tag}/`,
      forcePathStyle: true,
      credentials: { source: 'keys', accessKeyId: s3.accessKeyId },
      secretAccessKey: s3.secretAccessKey,
    }))
  ).id;
  repoIds.annex = (
    await h.repositories.add(RepositoryInput.parse({
      name: 'it-annex',
      kind: 'sftp',
      address: annex.address,
      port: annex.port,
      user: annex.user,
      auth: { type: 'key', keyPath: annex.keyPath },
      path: `${annex.repoPath}/backup-it-${tag}`,
    }))
  ).id;
  for (const id of Object.values(repoIds)) await h.repositories.init({ id });

  // 48 MiB of random data: long enough to cut or cancel mid-stream.
  await dockerCli(prod, 'volume', 'create', bigVolume);
  await inVolume(prod, bigVolume, 'head -c 50331648 /dev/urandom > /v/random.bin && echo hello > /v/small.txt');
});

afterAll(async () => {
  // Whatever a test did: production's app container runs again, test volumes are gone.
  if ((await dockerCli(prod, 'inspect', '-f', '{{.State.Running}}', 'shop-app-1').catch(() => 'true')) !== 'true') await dockerCli(prod, 'start', 'shop-app-1').catch(() => undefined);
  await removeQuietly(prod, 'volume', bigVolume);
  // Test repositories: the S3 prefix and the annex directory are removed.
  for (const which of ['s3', 'annex'] as const) {
    const b = await openRepo(repoIds[which]).catch(() => undefined);
    if (!b) continue;
    try {
      const keys: string[] = [];
      for await (const o of b.list('')) keys.push(o.key);
      for (const k of keys) await b.deleteObject(k).catch(() => undefined);
    } catch {
      // best effort
    } finally {
      await b.close().catch(() => undefined);
    }
  }
  // SFTP has no directory removal in the backend: the emptied test directory goes through the host path.
  if (lab.annex) await fs.rm(path.join(lab.annex.hostRepoPath, `backup-it-${tag}`), { recursive: true, force: true }).catch(() => undefined);
  await backend?.dispose();
  relay.close();
  await cfg?.cleanup();
});

function shopInput(repositoryId: string, extra: Partial<Extract<BackupRunInput, { hostId: string }>> = {}): BackupRunInput {
  return {
    hostId,
    repositoryId,
    set: 'shop',
    sources: [
      { kind: 'volume', volume: 'shop_files' },
      { kind: 'postgres', container: 'shop-db-1', mode: 'database', database: 'shop' },
    ],
    ...extra,
  };
}

async function checkSnapshot(which: keyof typeof repoIds, result: BackupResult) {
  const b = await openRepo(repoIds[which]);
  let manifest: Manifest;
  try {
    manifest = await readJsonObject(b, result.manifestKey, Manifest);
  } finally {
    await b.close();
  }
  expect(manifest.id).toBe(result.snapshotId);
  expect(result.manifestKey).toMatch(/^snapshots\/\d{4}\/\d{2}\/\d{2}\/\d{8}T\d{6}Z-shop-[0-9a-f]{4}\.json$/);
  const [files, db] = manifest.sources;
  expect(files).toMatchObject({ name: 'shop_files', kind: 'volume', format: 'tar', compression: 'zstd', encryption: 'none', origin: { volume: 'shop_files', hostName: 'production' } });
  expect(db).toMatchObject({ name: 'shop-db-1-shop', kind: 'postgres', format: 'pg-custom', origin: { container: 'shop-db-1', database: 'shop', engineVersion: 'PostgreSQL 15' } });
  expect(db!.rowCounts).toEqual(EXPECTED_ROWS);

  // The stored volume object: its sha256 is the manifest's, zstd -d | tar -t lists the files.
  const obj = await download(repoIds[which], files!.objectKey);
  expect((await fs.stat(obj)).size).toBe(files!.storedBytes);
  expect(await sha256File(obj)).toBe(files!.storedSha256);
  const { stdout: listing } = await run('sh', ['-c', `zstd -d < "${obj}" | tar -t`], { maxBuffer: 64 << 20 });
  const names = listing.split('\n').filter(Boolean);
  expect(names.length).toBe(files!.fileCount);
  const { stdout: witness } = await run('docker', ['-H', `unix://${prod.localSocket}`, 'run', '--rm', '-v', 'shop_files:/v:ro', BUSYBOX, 'sh', '-c', 'cd /v && find . -type f | sort']);
  const tarFiles = names.filter((n) => !n.endsWith('/')).sort();
  for (const f of witness.split('\n').filter(Boolean)) expect(tarFiles).toContain(f);
  // The raw stream's hash too.
  const { stdout: rawSha } = await run('sh', ['-c', `zstd -d < "${obj}" | sha256sum`]);
  expect(rawSha.split(' ')[0]).toBe(files!.rawSha256);

  // The file index: JSON lines, one per entry.
  expect(files!.indexKey).toBe(`index/${manifest.id}/shop_files.files.jsonl.zst`);
  const idx = await download(repoIds[which], files!.indexKey!);
  const { stdout: idxText } = await run('sh', ['-c', `zstd -d < "${idx}"`], { maxBuffer: 64 << 20 });
  expect(idxText.trim().split('\n')).toHaveLength(files!.fileCount!);

  // The database dump: pg_dump's custom format.
  const dump = await download(repoIds[which], db!.objectKey);
  expect(await sha256File(dump)).toBe(db!.storedSha256);
  const { stdout: head } = await run('sh', ['-c', `zstd -d < "${dump}" | head -c 5`]);
  expect(head).toBe('PGDMP');
  return manifest;
}

describe('backup to each backend', () => {
  for (const which of ['local', 's3', 'annex'] as const) {
    it(`production's shop_files + shop-db-1 → ${which}: manifest last, checksums, zstd/tar readable`, async () => {
      const { ctx, events } = ctxFor();
      const result = await runTask(shopInput(repoIds[which]), ctx);
      expect(result.sources.map((s) => s.name)).toEqual(['shop_files', 'shop-db-1-shop']);
      await checkSnapshot(which, result);
      expect(events.some((e) => e.type === 'progress' && e.message.startsWith('shop_files (1/2)'))).toBe(true);
      expect(events.some((e) => e.type === 'log' && e.message.includes('complete'))).toBe(true);
      // Listed by the snapshots domain; get returns the manifest.
      const listed = await backend.handlers.snapshots.list({ repositoryId: repoIds[which], set: 'shop' });
      expect(listed.map((r) => r.id)).toContain(result.snapshotId);
      expect((await backend.handlers.snapshots.get({ repositoryId: repoIds[which], id: result.snapshotId })).id).toBe(result.snapshotId);
      // The lock is released.
      expect(await keysUnder(repoIds[which], 'locks/')).toEqual([]);
    });
  }
});

describe('as of, across snapshots made at injected times', () => {
  it('picks the newest snapshot at or before the date, per source', async () => {
    const labEngine = await import('../sources/testing/lab-engines.js').then((m) => m.labEngines());
    const engine = await labEngine.engine('production');
    const dir = path.join(cfg.dir, 'asof-repo');
    const local = createRepositoryBackend({ id: 'x', name: 'x', kind: 'local', createdAt: '', path: dir }, {}, { configDir: cfg.dir });
    await initRepository(local);
    try {
      const at = (iso: string) => () => new Date(iso);
      const base = {
        set: 'asof',
        host: { id: 'h', name: 'production' },
        engine,
        backend: local,
        compression: 'zstd' as const,
        encryption: { kind: 'none' as const, spec: { kind: 'none' as const } },
        stopContainers: false,
        tags: [],
      };
      const files = { kind: 'volume' as const, volume: 'shop_files' };
      const db = { kind: 'postgres' as const, container: 'shop-db-1', mode: 'database' as const, database: 'shop', user: 'postgres' };
      const m1 = await runBackup({ ...base, sources: [files, db] }, { now: at('2026-11-16T09:00:00Z') });
      const m2 = await runBackup({ ...base, sources: [files, db] }, { now: at('2026-11-20T17:00:00Z') });
      // Only the database, later that evening.
      const m3 = await runBackup({ ...base, sources: [db] }, { now: at('2026-11-20T21:30:00Z') });
      const now = () => new Date('2026-11-21T10:00:00Z');
      const q = (when: string) => browseAsOf(local, { when, now, timeZone: 'UTC', wantedSources: () => ['shop_files', 'shop-db-1-shop'] });

      const friday18 = await q('last friday 18:00');
      expect(friday18.at).toBe('2026-11-20T18:00:00.000Z');
      expect(friday18.sets[0]!.snapshot.id).toBe(m2.manifest.id);
      expect(friday18.sets[0]!.warnings).toEqual([]);

      const late = await q('2026-11-20T23:00:00Z');
      const pick = late.sets[0]!;
      expect(pick.snapshot.id).toBe(m3.manifest.id);
      expect(Object.fromEntries(pick.sources.map((s) => [s.source, s.snapshotId]))).toEqual({ 'shop-db-1-shop': m3.manifest.id, shop_files: m2.manifest.id });
      expect(pick.warnings.join('\n')).toMatch(/apart/);

      expect((await q('2026-11-17')).sets[0]!.snapshot.id).toBe(m1.manifest.id);
      expect((await q('2026-11-15')).sets).toEqual([]);
      // The list by date touches only the days asked for.
      const { browseList } = await import('./browse.js');
      expect((await browseList(local, { from: '2026-11-20', to: '2026-11-20', now, timeZone: 'UTC' })).map((r) => r.id)).toEqual([m2.manifest.id, m3.manifest.id]);
    } finally {
      await local.close();
      await labEngine.dispose();
    }
  });
});

describe('failures leave nothing behind', () => {
  const nothingLeft = async (which: keyof typeof repoIds) => {
    expect((await keysUnder(repoIds[which], 'snapshots/')).filter((k) => k.includes('-cut-'))).toEqual([]);
    expect((await keysUnder(repoIds[which], 'data/')).filter((k) => k.includes('-cut-'))).toEqual([]);
    expect((await keysUnder(repoIds[which], 'index/')).filter((k) => k.includes('-cut-'))).toEqual([]);
    expect(await keysUnder(repoIds[which], 'locks/')).toEqual([]);
  };

  for (const which of ['local', 's3'] as const) {
    it(`SSH dropped mid-backup (${which}): the task fails, no manifest, no data object`, async () => {
      let cutDone = false;
      const { ctx } = ctxFor((e) => {
        if (!cutDone && e.type === 'progress' && (e.bytesDone ?? 0) > 8 << 20) {
          cutDone = true;
          relay.cut();
        }
      });
      const input: BackupRunInput = { hostId: relayedHostId, repositoryId: repoIds[which], set: 'cut', sources: [{ kind: 'volume', volume: 'shop_files' }, { kind: 'volume', volume: bigVolume }] };
      const error = await runTask(input, ctx).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(cutDone).toBe(true);
      // A plain failure (not a cancel), in words: DOCKER_ERROR "Reading volume … the stream from the engine broke".
      expect(error?.code).toBe('DOCKER_ERROR');
      expect(error?.message).toMatch(/Reading volume .* broke/);
      // The first source (shop_files) had been uploaded: removed too.
      await nothingLeft(which);
    });
  }

  for (const which of ['local', 'annex'] as const) {
    it(`cancel mid-backup (${which}): CANCELLED, no manifest, no data object`, async () => {
      const ac = new AbortController();
      const { ctx, events } = ctxFor((e) => {
        if (e.type === 'progress' && (e.bytesDone ?? 0) > 8 << 20) ac.abort();
      }, ac.signal);
      const input: BackupRunInput = { hostId, repositoryId: repoIds[which], set: 'cut', sources: [{ kind: 'volume', volume: 'shop_files' }, { kind: 'volume', volume: bigVolume }] };
      await expect(runTask(input, ctx)).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(events.some((e) => e.type === 'log' && /Removed \d+ object/.test(e.message))).toBe(true);
      await nothingLeft(which);
      const helpers = await dockerCli(prod, 'ps', '-a', '--filter', 'label=org.hindsight.helper=true', '--filter', `label=org.hindsight.helper.volume=${bigVolume}`, '--format', '{{.Names}}');
      expect(helpers).toBe('');
      // The operation record says so: cancelled, in the first source's copy step (the second one never began).
      const op = (await backend.handlers.operations.list({})).find((o) => o.kind === 'backup' && o.repositoryId === repoIds[which] && o.title.startsWith('Back up cut'))!;
      expect(op).toMatchObject({ state: 'cancelled', error: expect.stringContaining('cancelled') });
      const detail = await backend.handlers.operations.get({ id: op.id });
      expect(detail.steps.map((st) => st.state)).toEqual(['done', 'failed', 'skipped']);
    });
  }
});

describe('stopContainers', () => {
  it('stops the app container during the copy of its volume and starts it again afterwards', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const { ctx, events } = ctxFor();
    const result = await runTask(
      { hostId, repositoryId: repoIds.local, set: 'stopped', stopContainers: true, sources: [{ kind: 'volume', volume: 'shop_files' }] },
      ctx,
    );
    expect(await dockerCli(prod, 'inspect', '-f', '{{.State.Running}}', 'shop-app-1')).toBe('true');
    const until = Math.ceil(Date.now() / 1000) + 1;
    const out = await dockerCli(prod, 'events', '--since', String(since), '--until', String(until), '--filter', 'container=shop-app-1', '--format', '{{.Action}} {{.TimeNano}}');
    const timeline = out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '))
      .map(([action, ns]) => ({ action: action!, ms: Number(BigInt(ns!) / 1_000_000n) }));
    const stop = timeline.find((e) => e.action === 'stop');
    const start = timeline.find((e) => e.action === 'start');
    expect(stop && start).toBeTruthy();
    const m = await backend.handlers.snapshots.get({ repositoryId: repoIds.local, id: result.snapshotId });
    expect(stop!.ms).toBeLessThanOrEqual(Date.parse(m.sources[0]!.startedAt) + 1);
    expect(start!.ms).toBeGreaterThanOrEqual(Date.parse(m.sources[0]!.completedAt) - 1);
    expect(events.some((e) => e.type === 'log' && e.message.includes('stopped shop-app-1'))).toBe(true);
    expect(events.some((e) => e.type === 'log' && e.message.includes('started shop-app-1 again'))).toBe(true);
  });
});

describe('a saved, encrypted backup set', () => {
  it('backupSets.add + backup.run({setId}): age-encrypted objects that `age -d` opens, no plain-text file index', async () => {
    const keyFile = path.join(cfg.dir, 'age-key.txt');
    await run('age-keygen', ['-o', keyFile]);
    const recipient = (await fs.readFile(keyFile, 'utf8')).match(/public key: (age1[0-9a-z]+)/)![1]!;
    const set = await backend.handlers.backupSets.add(
      BackupSetAddInput.parse({
        name: 'sealed',
        hostId,
        repositoryId: repoIds.local,
        sources: [{ kind: 'volume', volume: 'shop_files' }, { kind: 'postgres', container: 'shop-db-1' }],
        encryption: 'age-recipients',
        recipients: [recipient],
      }),
    );
    expect((await backend.handlers.backupSets.list({})).map((s) => s.name)).toContain('sealed');
    const { ctx } = ctxFor();
    const result = await backend.handlers.backup.run.run(BackupRunInput.parse({ setId: 'sealed' }), ctx);
    expect(result.set).toBe('sealed');
    const m = await backend.handlers.snapshots.get({ repositoryId: repoIds.local, id: result.snapshotId });
    const [files, db] = m.sources;
    expect(files).toMatchObject({ encryption: 'age-recipients', objectKey: expect.stringMatching(/shop_files\.tar\.zst\.age$/) });
    expect(files!.indexKey).toBeUndefined();
    // pg_dumpall of the whole cluster: row counts per database.
    expect(db).toMatchObject({ format: 'sql', objectKey: expect.stringMatching(/shop-db-1\.sql\.zst\.age$/) });
    expect(db!.rowCounts).toBeUndefined();
    expect(db!.databaseRowCounts!.shop).toEqual(EXPECTED_ROWS);
    expect(Object.keys(db!.databaseRowCounts!)).toContain('postgres');
    const obj = await download(repoIds.local, files!.objectKey);
    expect(await sha256File(obj)).toBe(files!.storedSha256);
    const { stdout } = await run('sh', ['-c', `age -d -i "${keyFile}" < "${obj}" | zstd -d | tar -t | wc -l`]);
    expect(Number(stdout.trim())).toBe(files!.fileCount);
    const dump = await download(repoIds.local, db!.objectKey);
    const { stdout: sql } = await run('sh', ['-c', `age -d -i "${keyFile}" < "${dump}" | zstd -d | grep -c "COPY public.customers"`]);
    expect(Number(sql.trim())).toBeGreaterThanOrEqual(1);
    expect((await backend.handlers.backupSets.remove({ id: set.id })).removed).toBe(true);
  });
});
