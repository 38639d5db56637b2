import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repositoriesHandlers } from './repositories-handlers.js';
import { RepositoriesStore } from './repository/index.js';

let dir: string;
let events: Array<[string, unknown]>;
let handlers: ReturnType<typeof repositoriesHandlers>;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-repos-'));
  events = [];
  handlers = repositoriesHandlers({
    store: new RepositoriesStore(dir),
    backendDeps: { configDir: dir },
    emit: (name, payload) => events.push([name, payload]),
  });
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('repositories handlers', () => {
  it('add, list (secrets never returned), remove, with change events', async () => {
    const s3 = await handlers.add({
      name: 'bucket',
      kind: 's3',
      bucket: 'my-bucket',
      region: 'us-east-1',
      prefix: '',
      forcePathStyle: false,
      maxAttempts: 3,
      credentials: { source: 'keys', accessKeyId: 'AK' },
      secretAccessKey: 'very-secret-value',
    });
    expect(s3).toMatchObject({ name: 'bucket', hasSecret: true, builtIn: false });
    expect(events).toEqual([['repositories.onChanged', { repositoryId: s3.id }]]);
    const list = await handlers.list({});
    expect(list.map((r) => r.name)).toEqual(['local', 'bucket']);
    expect(JSON.stringify(list)).not.toContain('very-secret-value');
    expect(await fs.readFile(path.join(dir, 'repositories.json'), 'utf8')).not.toContain('very-secret-value');

    expect(await handlers.remove({ id: s3.id })).toEqual({ removed: true });
    expect(await handlers.remove({ id: s3.id })).toEqual({ removed: false });
    expect(events).toHaveLength(2);
    await expect(handlers.remove({ id: 'local' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('check says the marker is missing, init writes it, check then passes; a second init is refused', async () => {
    const folder = path.join(dir, 'elsewhere');
    const repo = await handlers.add({ name: 'disk', kind: 'local', path: folder });
    expect(await handlers.check({ id: repo.id })).toMatchObject({ ok: false, step: 'marker', code: 'NOT_FOUND' });
    const made = await handlers.init({ id: repo.id });
    expect(made).toMatchObject({ format: 'hindsight/1', location: expect.stringContaining(folder) });
    expect(await handlers.check({ id: repo.id })).toMatchObject({ ok: true, format: 'hindsight/1', id: made.id });
    await expect(handlers.init({ id: repo.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('a location holding other data fails at the marker step; an unknown id is NOT_FOUND', async () => {
    const folder = path.join(dir, 'busy');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'notes.txt'), 'x');
    const repo = await handlers.add({ name: 'busy', kind: 'local', path: folder });
    expect(await handlers.check({ id: repo.id })).toMatchObject({ ok: false, step: 'marker', message: expect.stringContaining('other data') });
    await expect(handlers.init({ id: repo.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(handlers.check({ id: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the built-in local repository is <config dir>/repository', async () => {
    expect(await handlers.check({ id: 'local' })).toMatchObject({ ok: false, step: 'marker' });
    await handlers.init({ id: 'local' });
    expect(await handlers.check({ id: 'local' })).toMatchObject({ ok: true });
    await expect(fs.stat(path.join(dir, 'repository', 'hindsight-repo.json'))).resolves.toBeTruthy();
  });
});
