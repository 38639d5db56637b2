import { describe, expect, it } from 'vitest';
import { RpcError, SourceKind, type AsOfResult, type BackupResult, type TaskContext } from '../../shared/contract/index.js';
import { fakeBackend } from '../core/rpc/test-fakes.js';
import { backupInputOf, progressRenderer } from './backup-commands.js';
import { runCli } from './program.js';

const result: BackupResult = {
  snapshotId: '20261121T221530Z-shop-1a2b',
  manifestKey: 'snapshots/2026/11/21/20261121T221530Z-shop-1a2b.json',
  set: 'shop',
  startedAt: '2026-11-21T22:15:30.000Z',
  completedAt: '2026-11-21T22:15:40.000Z',
  rawBytes: 3 << 20,
  storedBytes: 1 << 20,
  sources: [{ name: 'shop_files', kind: 'volume', objectKey: 'data/x/shop_files.tar.zst', rawBytes: 3 << 20, storedBytes: 1 << 20, fileCount: 12, seconds: 2.5 }],
};

type RunFn = (input: unknown, ctx: TaskContext) => Promise<unknown>;

async function cli(args: string[], runTask: RunFn, extra: Record<string, Record<string, unknown>> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  let interrupt: (() => void) | undefined;
  const inputs: unknown[] = [];
  const backend = fakeBackend({
    backup: { run: { title: () => 'backup', run: (input: unknown, ctx: TaskContext) => (inputs.push(input), runTask(input, ctx)) } },
    ...extra,
  });
  const code = await runCli(args, {
    createBackend: async () => backend,
    configDir: '/cfg',
    appVersion: '1.2.3',
    output: { out: (t) => out.push(t), err: (t) => err.push(t) },
    tasks: {
      progress: { isTTY: false, write: (t) => progress.push(t) },
      onInterrupt: (cb) => {
        interrupt = cb;
        return () => (interrupt = undefined);
      },
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), progress: progress.join(''), inputs, interrupt: () => interrupt?.() };
}

describe('hindsight backup', () => {
  it('runs an ad-hoc backup as a task, shows progress lines and the result; exit 0', async () => {
    const r = await cli(['backup', '--host', 'production', '--volume', 'shop_files', '--postgres', 'shop-db-1/shop', '--postgres', 'other-db', '--repo', 'lab-s3'], async (_i, ctx) => {
      ctx.report({ type: 'log', level: 'info', message: 'Backing up', ts: '' });
      ctx.report({ type: 'progress', fraction: 0.5, message: 'shop_files (1/1): 1 MiB', bytesDone: 1 });
      return result;
    });
    expect(r.code).toBe(0);
    expect(r.inputs[0]).toMatchObject({
      hostId: 'production',
      repositoryId: 'lab-s3',
      compression: 'zstd',
      sources: [
        { kind: 'volume', volume: 'shop_files' },
        { kind: 'postgres', container: 'shop-db-1', mode: 'database', database: 'shop' },
        { kind: 'postgres', container: 'other-db', mode: 'dumpall' },
      ],
    });
    expect(r.out).toContain('snapshot 20261121T221530Z-shop-1a2b');
    expect(r.progress).toContain('Backing up\n');
    expect(r.progress).toContain('50% shop_files (1/1)');
  });

  it('takes every kind of source the contract knows, MariaDB and MongoDB included', async () => {
    const r = await cli(['backup', '--host', 'production', '--repo', 'lab-s3', '--mariadb', 'maria-1', '--mongo', 'mongo-1', '--directory', 'app:/etc/app'], async () => result);
    expect(r.code, r.err).toBe(0);
    expect(r.inputs[0]).toMatchObject({
      sources: [
        { kind: 'mariadb', container: 'maria-1' },
        { kind: 'mongo', container: 'mongo-1' },
        { kind: 'directory', container: 'app', path: '/etc/app' },
      ],
    });
    // Nothing given: the usage error names every kind's flag.
    const none = await cli(['backup', '--host', 'production', '--repo', 'lab-s3'], async () => result);
    expect(none.code).toBe(1);
    for (const kind of SourceKind.options) expect(none.err).toContain(`--${kind}`);
  });

  it('--json prints the result; a failed backup exits 2, a usage error 1', async () => {
    const ok = await cli(['backup', 'shop', '--json'], async () => result);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, snapshotId: result.snapshotId });
    expect(ok.inputs[0]).toEqual({ setId: 'shop' });

    const failed = await cli(['backup', 'shop', '--json'], async () => {
      throw new RpcError('DOCKER_ERROR', 'the engine said no');
    });
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.out)).toMatchObject({ ok: false, code: 'DOCKER_ERROR' });

    expect((await cli(['backup', '--host', 'production'], async () => result)).code).toBe(1);
    expect((await cli(['backup', 'shop', '--host', 'x'], async () => result)).code).toBe(1);
    expect((await cli(['backup'], async () => result)).code).toBe(1);
  });

  it('Ctrl-C cancels the task and exits 130', async () => {
    let interrupt: (() => void) | undefined;
    const err: string[] = [];
    const backend = fakeBackend({
      backup: {
        run: {
          title: () => 'backup',
          run: (_i: unknown, ctx: TaskContext) =>
            new Promise((_res, rej) => {
              // The task is running: the user presses Ctrl-C.
              setTimeout(() => interrupt?.(), 10);
              ctx.signal.addEventListener('abort', () => rej(new RpcError('CANCELLED', 'cancelled')));
            }),
        },
      },
    });
    const code = await runCli(['backup', 'shop'], {
      createBackend: async () => backend,
      configDir: '/cfg',
      appVersion: '1.2.3',
      output: { out: () => undefined, err: (t) => err.push(t) },
      tasks: {
        progress: { isTTY: false, write: () => undefined },
        onInterrupt: (cb) => {
          interrupt = cb;
          return () => (interrupt = undefined);
        },
      },
    });
    expect(code).toBe(130);
    expect(err.join('\n')).toMatch(/Cancelling/);
    expect(err.join('\n')).toMatch(/backup cancelled/);
  });
});

describe('backupInputOf', () => {
  it('maps the options', () => {
    expect(backupInputOf(undefined, { host: 'h', repo: 'r', volume: ['v'], set: 'nightly', gzip: true, stopContainers: true })).toEqual({
      hostId: 'h',
      repositoryId: 'r',
      sources: [{ kind: 'volume', volume: 'v' }],
      set: 'nightly',
      compression: 'gzip',
      stopContainers: true,
    });
  });
});

describe('progressRenderer', () => {
  it('redraws a bar on a TTY', () => {
    const out: string[] = [];
    const r = progressRenderer({ isTTY: true, write: (t) => out.push(t) });
    r.onEvents([{ type: 'progress', fraction: 0.25, message: 'x' }]);
    r.finish();
    expect(out[0]).toContain('[######..................]  25% x');
    expect(out[1]).toBe('\r\x1b[2K');
  });
});

describe('hindsight snapshots', () => {
  it('lists, picks as of a date, and exits 2 when nothing is there', async () => {
    const list = await cli(['snapshots', '--repo', 'lab-s3', '--from', 'yesterday'], async () => result, {
      snapshots: { list: async () => [{ id: result.snapshotId, set: 'shop', time: '2026-11-21T22:15:30.000Z', manifestKey: result.manifestKey }] },
    });
    expect(list.code).toBe(0);
    expect(list.out).toContain('20261121T221530Z-shop-1a2b  shop');
    const asOf: AsOfResult = { at: '2026-11-20T18:00:00.000Z', interpretation: 'last friday 18:00 → 2026-11-20T18:00:00.000Z (UTC)', sets: [], warnings: [] };
    const none = await cli(['snapshots', '--repo', 'lab-s3', '--as-of', 'last friday 18:00', '--json'], async () => result, { snapshots: { asOf: async () => asOf } });
    expect(none.code).toBe(2);
    expect(JSON.parse(none.out)).toEqual(asOf);
    expect((await cli(['snapshots'], async () => result)).code).toBe(1);
  });
});

describe('hindsight sets', () => {
  it('setInputOf: sources, encryption from recipients or the passphrase env, never from argv', async () => {
    const { setInputOf, PASSPHRASE_ENV } = await import('./backup-commands.js');
    const base = { host: 'production', repo: 'local', volume: ['shop_files'], postgres: ['shop-db-1/shop'] };
    expect(setInputOf('nightly', { ...base, stopContainers: true, tag: ['prod'] }, {})).toMatchObject({
      name: 'nightly',
      hostId: 'production',
      repositoryId: 'local',
      stopContainers: true,
      encryption: 'none',
      tags: ['prod'],
      sources: [{ kind: 'volume', volume: 'shop_files' }, { kind: 'postgres', container: 'shop-db-1', mode: 'database', database: 'shop' }],
    });
    expect(setInputOf('s', { ...base, recipient: ['age1abc'] }, {})).toMatchObject({ encryption: 'age-recipients', recipients: ['age1abc'] });
    expect(setInputOf('s', { ...base, passphrase: true }, { [PASSPHRASE_ENV]: 'pw' })).toMatchObject({ encryption: 'age-passphrase', passphrase: 'pw' });
    expect(() => setInputOf('s', { ...base, passphrase: true }, {})).toThrow(/HINDSIGHT_BACKUP_PASSPHRASE/);
    expect(() => setInputOf('s', { host: 'h', repo: 'r' }, {})).toThrow(/Nothing to back up/);
  });

  it('--directory container:/path; a relative path or a missing container is a usage error', async () => {
    const { backupInputOf } = await import('./backup-commands.js');
    expect(backupInputOf(undefined, { host: 'production', repo: 'lab-s3', directory: ['shop-app-1:/srv/files'] })).toMatchObject({ sources: [{ kind: 'directory', container: 'shop-app-1', path: '/srv/files' }] });
    expect(() => backupInputOf(undefined, { host: 'h', repo: 'r', directory: ['app:etc'] })).toThrow(/container:\/absolute\/path/);
    expect(() => backupInputOf(undefined, { host: 'h', repo: 'r', directory: [':/etc'] })).toThrow(/container:\/absolute\/path/);
  });

  it('sets list shows host and repository names', async () => {
    const out: string[] = [];
    const backend = fakeBackend({
      backupSets: {
        list: async () => [
          { id: 's1', name: 'nightly', hostId: 'h1', repositoryId: 'local', sources: [{ kind: 'volume', volume: 'v' }], compression: 'zstd', encryption: 'none', recipients: [], stopContainers: true, tags: [], createdAt: '', hasPassphrase: false },
        ],
      },
      repositories: { list: async () => [{ id: 'local', name: 'local', kind: 'local', createdAt: '', hasSecret: false, builtIn: true }] },
    });
    const code = await runCli(['sets', 'list'], { createBackend: async () => backend, configDir: '/cfg', appVersion: '1', output: { out: (t) => out.push(t), err: () => undefined } });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/nightly\s+prod\s+local\s+volume:v\s+zstd, stop-containers/);
  });
});
