/**
 * The shared behaviour suite on a local temp dir (no lab needed), plus what is particular to the
 * local folder: modes, the temp file during an upload, and the default location.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend, defaultLocalRepositoryPath } from './local-backend.js';
import { createBackend } from './open-backend.js';
import { describeBackendBehaviour } from './testing/backend-suite.js';
import { tempFilesUnder } from './testing/leftovers.js';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-local-repo-'));
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describeBackendBehaviour('local folder', () => ({
  backend: async (sub) => new LocalBackend(path.join(root, 'suite', sub)),
  leftovers: (sub) => tempFilesUnder(path.join(root, 'suite', sub)),
  cleanup: () => fs.rm(path.join(root, 'suite'), { recursive: true, force: true }),
}));

describe('LocalBackend specifics', () => {
  it('writes 0600 files in 0700 directories, through a temp file renamed into place', async () => {
    const dir = path.join(root, 'modes');
    const b = new LocalBackend(dir);
    const body = new PassThrough();
    const put = b.putObject('a/b/c.bin', body);
    body.write(Buffer.alloc(1024));
    await new Promise((r) => setTimeout(r, 100));
    const during = await tempFilesUnder(dir);
    expect(during).toHaveLength(1);
    expect(path.basename(during[0]!)).toMatch(/^c\.bin\.tmp-[0-9a-f]{12}$/);
    body.end();
    await put;
    expect(await tempFilesUnder(dir)).toEqual([]);
    expect((await fs.stat(path.join(dir, 'a/b/c.bin'))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(dir, 'a/b'))).mode & 0o777).toBe(0o700);
  });

  it('ignores what is not a regular file, and reports a file in the way of a directory', async () => {
    const dir = path.join(root, 'odd');
    const b = new LocalBackend(dir);
    await b.putObject('x', Readable.from([Buffer.from('x')]));
    await fs.symlink('/etc', path.join(dir, 'link'));
    expect(await b.stat('link')).toBeNull();
    const keys: string[] = [];
    for await (const o of b.list('')) keys.push(o.key);
    expect(keys).toEqual(['x']);
    await expect(b.putObject('x/y', Readable.from([Buffer.from('y')]))).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('the built-in repository lives in <config dir>/repository', () => {
    const b = createBackend({ id: 'local', name: 'local', kind: 'local', createdAt: '' }, {}, { configDir: '/cfg' });
    expect(b.location).toBe(`Local repository ${path.resolve(defaultLocalRepositoryPath('/cfg'))}`);
    expect(defaultLocalRepositoryPath('/cfg')).toBe(path.join('/cfg', 'repository'));
  });
});
