import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepositoryInput } from '../../../shared/contract/repositories.js';
import { BUILT_IN_ID, RepositoriesStore } from './repositories-store.js';

let dir: string;
let store: RepositoriesStore;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-repos-'));
  store = new RepositoriesStore(dir);
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const s3Input = () =>
  RepositoryInput.parse({
    kind: 's3',
    name: 'lab-s3',
    endpoint: 'http://127.0.0.15:9000',
    bucket: 'hindsight-lab',
    prefix: 'team/a',
    forcePathStyle: true,
    credentials: { source: 'keys', accessKeyId: 'hindsight' },
    secretAccessKey: SECRET,
  });
const sftpInput = () =>
  RepositoryInput.parse({
    kind: 'sftp',
    name: 'annex',
    address: '127.0.0.14',
    port: 2222,
    user: 'hindsight',
    auth: { type: 'key', keyPath: '~/.ssh/id_ed25519' },
    path: '/repo',
    keyPassphrase: 'open sesame',
  });

describe('RepositoriesStore', () => {
  it('always offers the built-in local repository under the config dir', async () => {
    const list = await store.list();
    expect(list).toEqual([
      { id: BUILT_IN_ID, name: 'local', kind: 'local', createdAt: expect.any(String), path: path.join(dir, 'repository'), hasSecret: false, builtIn: true },
    ]);
    await expect(store.remove(BUILT_IN_ID)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(store.update(BUILT_IN_ID, s3Input())).rejects.toMatchObject({ code: 'CONFLICT' });
    // Nothing was written for it.
    await expect(fs.access(store.files.repositories)).rejects.toThrow();
  });

  it('keeps secrets out of repositories.json and out of every answer', async () => {
    const s3 = await store.add(s3Input());
    const sftp = await store.add(sftpInput());
    expect(s3).toMatchObject({ kind: 's3', name: 'lab-s3', bucket: 'hindsight-lab', hasSecret: true, builtIn: false });
    expect(sftp).toMatchObject({ kind: 'sftp', hasSecret: true });

    const configText = await fs.readFile(store.files.repositories, 'utf8');
    expect(configText).not.toContain(SECRET);
    expect(configText).not.toContain('open sesame');
    expect(configText).not.toMatch(/secretAccessKey|keyPassphrase/);
    const answers = JSON.stringify([await store.list(), await store.get(s3.id), await store.get(sftp.id)]);
    expect(answers).not.toContain(SECRET);
    expect(answers).not.toContain('open sesame');

    const secretsStat = await fs.stat(store.files.secrets);
    expect(secretsStat.mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(await fs.readFile(store.files.secrets, 'utf8'));
    expect(secrets).toEqual({ version: 1, secrets: { [s3.id]: { secretAccessKey: SECRET }, [sftp.id]: { keyPassphrase: 'open sesame' } } });
    expect(await store.secrets(s3.id)).toEqual({ secretAccessKey: SECRET });
  });

  it('update keeps a secret left out, forgets one set to "", drops all on a change of kind', async () => {
    const s3 = await store.add(s3Input());
    const { secretAccessKey: _omit, ...noSecret } = s3Input() as Record<string, unknown>;
    await store.update(s3.id, RepositoryInput.parse({ ...noSecret, bucket: 'hindsight-e2e' }));
    expect(await store.secrets(s3.id)).toEqual({ secretAccessKey: SECRET });
    expect((await store.get(s3.id)) as { bucket: string }).toMatchObject({ bucket: 'hindsight-e2e', createdAt: s3.createdAt });

    await store.update(s3.id, RepositoryInput.parse({ ...noSecret, secretAccessKey: '' }));
    expect(await store.secrets(s3.id)).toEqual({});
    expect((await store.get(s3.id)).hasSecret).toBe(false);

    await store.update(s3.id, s3Input());
    const { keyPassphrase: _p, ...sftpNoSecret } = sftpInput() as Record<string, unknown>;
    await store.update(s3.id, RepositoryInput.parse({ ...sftpNoSecret, name: 'lab-s3' }));
    expect(await store.secrets(s3.id)).toEqual({});
  });

  it('refuses a duplicate name (case-insensitive, the built-in included) and removes with secrets', async () => {
    const s3 = await store.add(s3Input());
    await expect(store.add({ ...s3Input(), name: 'LAB-S3' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(store.add(RepositoryInput.parse({ kind: 'local', name: 'Local' }))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.remove(s3.id)).toBe(true);
    expect(await store.remove(s3.id)).toBe(false);
    expect(await store.secrets(s3.id)).toEqual({});
    await expect(store.get(s3.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('survives a restart: everything is re-read from the files', async () => {
    const s3 = await store.add(s3Input());
    const again = new RepositoriesStore(dir);
    expect(await again.get(s3.id)).toEqual(await store.get(s3.id));
    expect(await again.secrets(s3.id)).toEqual({ secretAccessKey: SECRET });
  });
});
