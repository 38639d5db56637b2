import { describe, expect, it } from 'vitest';
import { RpcError, type Repository, type RepositoryCheckResult } from '../../shared/contract/index.js';
import { fakeBackend } from '../core/rpc/test-fakes.js';
import { runCli } from './program.js';
import { repositoryInputOf } from './repo-commands.js';

const repos: Repository[] = [
  { id: 'local', name: 'local', kind: 'local', createdAt: '1970-01-01T00:00:00.000Z', path: '/cfg/repository', hasSecret: false, builtIn: true },
  {
    id: 'r-s3',
    name: 'lab-s3',
    kind: 's3',
    createdAt: '2026-01-01T00:00:00.000Z',
    endpoint: 'http://127.0.0.15:9000',
    region: 'us-east-1',
    bucket: 'hindsight-lab',
    prefix: 'repo/',
    forcePathStyle: true,
    credentials: { source: 'keys', accessKeyId: 'hindsight' },
    maxAttempts: 3,
    hasSecret: true,
    builtIn: false,
  },
  {
    id: 'r-annex',
    name: 'annex',
    kind: 'sftp',
    createdAt: '2026-01-01T00:00:00.000Z',
    address: '127.0.0.14',
    port: 2222,
    user: 'hindsight',
    auth: { type: 'key', keyPath: '/keys/lab' },
    path: '/repo/hindsight',
    hasSecret: false,
    builtIn: false,
  },
];

async function run(args: string[], repositories: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const backend = fakeBackend({ repositories: { list: async () => repos, ...repositories } });
  const code = await runCli(args, {
    createBackend: async () => backend,
    configDir: '/cfg',
    appVersion: '1.2.3',
    output: { out: (t) => out.push(t), err: (t) => err.push(t) },
    env,
  });
  return { code, out: out.join('\n'), err: err.join('\n'), backend };
}

const okCheck: RepositoryCheckResult = {
  ok: true,
  message: 'fine',
  location: 'S3 repository lab-s3',
  format: 'hindsight/1',
  id: 'uuid-1',
  createdAt: '2026-01-02T00:00:00.000Z',
  latencyMs: 7.6,
};

describe('hindsight repo', () => {
  it('list prints a table, local first; --json the repositories', async () => {
    const { code, out, backend } = await run(['repo', 'list']);
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      'NAME    KIND   LOCATION                                            CREDENTIALS',
      'local   local  /cfg/repository                                     -',
      'lab-s3  s3     s3://hindsight-lab/repo/ at http://127.0.0.15:9000  key hindsight, secret stored',
      'annex   sftp   sftp://hindsight@127.0.0.14:2222/repo/hindsight     key /keys/lab',
    ]);
    expect(backend.disposed).toBe(true);
    const json = await run(['repo', 'list', '--json']);
    expect(JSON.parse(json.out)).toHaveLength(3);
  });

  it('check: OK is exit 0, a failed step exit 2', async () => {
    const ok = await run(['repo', 'check', 'lab-s3'], {
      check: async ({ id }: { id: string }) => {
        expect(id).toBe('r-s3');
        return okCheck;
      },
    });
    expect(ok.code).toBe(0);
    expect(ok.out).toBe('lab-s3: OK — hindsight/1 repository uuid-1, created 2026-01-02T00:00:00.000Z (8 ms)');

    const failed = await run(['repo', 'check', 'annex', '--json'], {
      check: async (): Promise<RepositoryCheckResult> => ({
        ok: false,
        step: 'hostkey',
        code: 'HOSTKEY_UNKNOWN',
        message: 'never seen',
        hostKey: { hostPattern: '[127.0.0.14]:2222', keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc', status: 'unknown' },
      }),
    });
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.out)).toMatchObject({ repository: 'annex', ok: false, step: 'hostkey' });

    const text = await run(['repo', 'check', 'annex'], {
      check: async (): Promise<RepositoryCheckResult> => ({ ok: false, step: 'auth', code: 'AUTH_FAILED', message: 'refused' }),
    });
    expect(text.code).toBe(2);
    expect(text.out).toBe('annex: FAILED at step "auth" (AUTH_FAILED): refused');
  });

  it('init: exit 0 when made, 2 when the storage refuses, 1 for an unknown name', async () => {
    const made = await run(['repo', 'init', 'annex'], {
      init: async ({ id }: { id: string }) => ({ location: `sftp ${id}`, format: 'hindsight/1', id: 'uuid-2', createdAt: '2026-01-02T00:00:00.000Z' }),
    });
    expect(made.code).toBe(0);
    expect(made.out).toBe('annex: initialised sftp r-annex (hindsight/1, id uuid-2)');

    const refused = await run(['repo', 'init', 'annex', '--json'], {
      init: async () => {
        throw new RpcError('CONFLICT', 'already a Hindsight repository');
      },
    });
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.out)).toEqual({ repository: 'annex', ok: false, code: 'CONFLICT', message: 'already a Hindsight repository' });

    const unknown = await run(['repo', 'init', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No repository named "nope" (known: local, lab-s3, annex)');
  });

  it('add sends the input with the secret from the environment; remove by name', async () => {
    const added: unknown[] = [];
    const { code, out } = await run(
      ['repo', 'add', 'b2', 's3://bucket/team/x', '--endpoint', 'https://s3.example', '--path-style', '--access-key-id', 'AK'],
      {
        add: async (input: Record<string, unknown>) => {
          added.push(input);
          return { ...repos[1], id: 'new', name: 'b2' };
        },
      },
      { HINDSIGHT_S3_SECRET_ACCESS_KEY: 'sekrit' },
    );
    expect(code).toBe(0);
    expect(out).toContain('added b2');
    expect(out).not.toContain('sekrit');
    expect(added[0]).toMatchObject({
      name: 'b2',
      kind: 's3',
      bucket: 'bucket',
      prefix: 'team/x',
      endpoint: 'https://s3.example',
      forcePathStyle: true,
      credentials: { source: 'keys', accessKeyId: 'AK' },
      secretAccessKey: 'sekrit',
    });

    const removed = await run(['repo', 'remove', 'annex'], { remove: async ({ id }: { id: string }) => ({ removed: id === 'r-annex' }) });
    expect(removed.code).toBe(0);
    expect(removed.out).toBe('removed annex (its storage is left as it is)');
  });

  it('add: a key id without its secret, or an unknown scheme, is a usage error (exit 1)', async () => {
    const noSecret = await run(['repo', 'add', 'b2', 's3://bucket', '--access-key-id', 'AK']);
    expect(noSecret.code).toBe(1);
    expect(noSecret.err).toContain('HINDSIGHT_S3_SECRET_ACCESS_KEY');
    expect((await run(['repo', 'add', 'x', 'ftp://host/dir'])).code).toBe(1);
    expect((await run(['repo', 'check'])).code).toBe(1);
  });

  it('reads sftp and local locations', () => {
    expect(repositoryInputOf('a', 'sftp://ops@backup.example:2200/srv/repo', { key: '/k/id' }, { HINDSIGHT_KEY_PASSPHRASE: 'pp' })).toEqual({
      name: 'a',
      kind: 'sftp',
      address: 'backup.example',
      port: 2200,
      user: 'ops',
      auth: { type: 'key', keyPath: '/k/id' },
      path: '/srv/repo',
      keyPassphrase: 'pp',
    });
    expect(repositoryInputOf('b', 'sftp://ops@backup.example/srv', {}, {})).toMatchObject({ port: 22, auth: { type: 'agent' } });
    expect(repositoryInputOf('c', '/mnt/backups', {}, {})).toEqual({ name: 'c', kind: 'local', path: '/mnt/backups' });
    expect(repositoryInputOf('d', 's3://bkt', { profile: 'work' }, {})).toMatchObject({ bucket: 'bkt', prefix: '', credentials: { source: 'profile', profile: 'work' } });
    expect(() => repositoryInputOf('e', 'sftp://host/path', {}, {})).toThrow(/needs a user/);
  });
});
