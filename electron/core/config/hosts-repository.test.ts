import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError } from '../../../shared/contract/errors.js';
import { HostInput } from '../../../shared/contract/hosts.js';
import { writeFileAtomic } from './atomic-file.js';
import { HostsRepository } from './hosts-repository.js';
import { configFiles } from './paths.js';
import { SecretsStore } from './secrets-store.js';

let dir: string;
let files: ReturnType<typeof configFiles>;
let repo: HostsRepository;

const input = (name: string, extra: Partial<HostInput> = {}) =>
  HostInput.parse({
    name,
    connection: { type: 'ssh', address: '10.0.0.1', user: 'ops', auth: { type: 'key', keyPath: '/k' } },
    ...extra,
  });

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-cfg-'));
  files = configFiles(dir);
  repo = new HostsRepository(files.hosts, new SecretsStore(files.secrets));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('HostsRepository', () => {
  it('starts empty without creating a file, then saves hosts in the documented format', async () => {
    expect(await repo.list()).toEqual([]);
    expect(await repo.exists()).toBe(false);
    const host = await repo.add(input('production', { role: 'production', protected: true }));
    expect(host).toMatchObject({ name: 'production', role: 'production', protected: true, hasPassphrase: false });
    const onDisk = JSON.parse(await fs.readFile(files.hosts, 'utf8'));
    expect(onDisk).toEqual({
      version: 1,
      hosts: [
        {
          id: host.id,
          name: 'production',
          role: 'production',
          protected: true,
          createdAt: host.createdAt,
          connection: {
            type: 'ssh',
            address: '10.0.0.1',
            port: 22,
            user: 'ops',
            auth: { type: 'key', keyPath: '/k' },
            remoteSocket: '/var/run/docker.sock',
          },
        },
      ],
    });
  });

  it('reads a file written by someone else (the lab) and applies defaults', async () => {
    await fs.writeFile(
      files.hosts,
      JSON.stringify({
        version: 1,
        hosts: [
          {
            id: 'lab-production',
            name: 'production',
            role: 'production',
            protected: true,
            createdAt: '2026-01-01T00:00:00.000Z',
            connection: { type: 'ssh', address: '127.0.0.11', port: 2222, user: 'hindsight', auth: { type: 'agent' }, remoteSocket: '/run/d.sock' },
          },
          { id: 'l', name: 'local', createdAt: '2026-01-01T00:00:00.000Z', connection: { type: 'local' } },
        ],
      }),
    );
    const [prod, local] = await repo.list();
    expect(prod).toMatchObject({ id: 'lab-production', hasPassphrase: false });
    expect(local).toMatchObject({ role: 'other', protected: false, connection: { type: 'local', socketPath: '/var/run/docker.sock' } });
  });

  it('refuses a second host of the same name (case-insensitively) with CONFLICT', async () => {
    const a = await repo.add(input('production'));
    await expect(repo.add(input('Production'))).rejects.toMatchObject({ code: 'CONFLICT' });
    const b = await repo.add(input('uat'));
    await expect(repo.update(b.id, { name: 'PRODUCTION' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await repo.update(a.id, { name: 'production' })).toMatchObject({ name: 'production' }); // own name is fine
    expect((await repo.list()).map((h) => h.name)).toEqual(['production', 'uat']);
  });

  it('keeps concurrent adds (no lost update)', async () => {
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => repo.add(input(n))));
    expect((await repo.list()).map((h) => h.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('stores passphrases only in secrets.json (0600) and never returns them', async () => {
    const host = await repo.add(input('prod', { keyPassphrase: 'correct horse battery staple' }));
    expect(host.hasPassphrase).toBe(true);
    expect(JSON.stringify(await repo.list())).not.toContain('correct horse');
    expect(JSON.stringify(host)).not.toContain('correct horse');
    expect(await fs.readFile(files.hosts, 'utf8')).not.toContain('correct horse');
    const stat = await fs.stat(files.secrets);
    if (process.platform !== 'win32') expect(stat.mode & 0o777).toBe(0o600);
    expect(await new SecretsStore(files.secrets).passphrase(host.id)).toBe('correct horse battery staple');
    // "" forgets it; removing the host forgets it too.
    expect((await repo.update(host.id, { keyPassphrase: '' })).hasPassphrase).toBe(false);
    await repo.update(host.id, { keyPassphrase: 'again' });
    await repo.remove(host.id);
    expect(await fs.readFile(files.secrets, 'utf8')).not.toContain('again');
  });

  it('fails loudly on a corrupt hosts.json and leaves it untouched', async () => {
    await fs.writeFile(files.hosts, '{"version":1,"hosts":[{"id":');
    const err = await repo.list().catch((e: unknown) => e);
    expect(RpcError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: 'INTERNAL' });
    expect((err as Error).message).toContain(files.hosts);
    expect((err as Error).message).toMatch(/not valid JSON/);
    await expect(repo.add(input('x'))).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await fs.readFile(files.hosts, 'utf8')).toBe('{"version":1,"hosts":[{"id":');
  });

  it('names what does not fit when the JSON is valid but the shape is wrong', async () => {
    await fs.writeFile(files.hosts, JSON.stringify({ version: 1, hosts: [{ id: 'x', name: 'x', createdAt: 'now', connection: { type: 'ftp' } }] }));
    await expect(repo.list()).rejects.toThrow(/hosts\.0\.connection/);
  });

  it('update and remove report unknown ids as NOT_FOUND / false', async () => {
    await expect(repo.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(repo.update('nope', { role: 'uat' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await repo.remove('nope')).toBe(false);
  });

  it('seeds only when no hosts.json exists', async () => {
    const seeded = await repo.seedIfMissing([input('local', { connection: { type: 'local', socketPath: '/s' } })]);
    expect(seeded?.map((h) => h.name)).toEqual(['local']);
    await repo.remove(seeded![0]!.id);
    expect(await repo.seedIfMissing([input('local')])).toBeUndefined();
    expect(await repo.list()).toEqual([]);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temp files behind', async () => {
    const f = path.join(dir, 'sub', 'x.json');
    await writeFileAtomic(f, 'one');
    await writeFileAtomic(f, 'two', 0o600);
    expect(await fs.readFile(f, 'utf8')).toBe('two');
    expect(await fs.readdir(path.dirname(f))).toEqual(['x.json']);
    if (process.platform !== 'win32') expect((await fs.stat(f)).mode & 0o777).toBe(0o600);
  });

  it('never exposes a half-written file to a concurrent reader', async () => {
    const f = path.join(dir, 'big.json');
    const big = (c: string) => JSON.stringify({ data: c.repeat(2_000_000) });
    await writeFileAtomic(f, big('a'));
    const writes = Promise.all([writeFileAtomic(f, big('b')), writeFileAtomic(f, big('c'))]);
    const reads: string[] = [];
    for (let i = 0; i < 20; i++) reads.push(await fs.readFile(f, 'utf8'));
    await writes;
    for (const r of reads) expect(() => JSON.parse(r)).not.toThrow();
  });
});
