import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupSetsStore } from './backup-sets-store.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hs-sets-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const base = { hostId: 'h1', repositoryId: 'local', sources: [{ kind: 'volume' as const, volume: 'shop_files' }] };

describe('BackupSetsStore', () => {
  it('adds, lists (defaults applied) and removes sets in backup-sets.json', async () => {
    const store = new BackupSetsStore(dir, () => new Date('2026-11-21T10:00:00Z'));
    const set = await store.add({ name: 'shop', ...base });
    expect(set).toMatchObject({ name: 'shop', compression: 'zstd', encryption: 'none', stopContainers: false, hasPassphrase: false, createdAt: '2026-11-21T10:00:00.000Z' });
    expect((await store.list()).map((s) => s.name)).toEqual(['shop']);
    expect((await store.stored('shop')).id).toBe(set.id);
    const file = JSON.parse(await fs.readFile(path.join(dir, 'backup-sets.json'), 'utf8')) as { version: number; sets: unknown[] };
    expect(file.version).toBe(1);
    expect(file.sets).toHaveLength(1);
    expect(await store.remove(set.id)).toBe(true);
    expect(await store.remove(set.id)).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('keeps a passphrase in a separate 0600 file and never returns it', async () => {
    const store = new BackupSetsStore(dir);
    const set = await store.add({ name: 'secret', ...base, encryption: 'age-passphrase', passphrase: 'correct horse' });
    expect(set.hasPassphrase).toBe(true);
    expect(JSON.stringify(await store.list())).not.toContain('correct horse');
    expect(await fs.readFile(path.join(dir, 'backup-sets.json'), 'utf8')).not.toContain('correct horse');
    const secrets = path.join(dir, 'backup-set-secrets.json');
    expect((await fs.stat(secrets)).mode & 0o777).toBe(0o600);
    expect(await store.passphrase(set.id)).toBe('correct horse');
    await store.remove(set.id);
    expect(await store.passphrase(set.id)).toBeUndefined();
  });

  it('refuses duplicates, invalid names and inconsistent encryption settings', async () => {
    const store = new BackupSetsStore(dir);
    await store.add({ name: 'shop', ...base });
    await expect(store.add({ name: 'SHOP', ...base })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(store.add({ name: '../x', ...base })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.add({ name: 'p', ...base, encryption: 'age-passphrase' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.add({ name: 'r', ...base, encryption: 'age-recipients' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.add({ name: 'n', ...base, passphrase: 'x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.stored('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('fails loudly on a corrupt file instead of resetting it', async () => {
    await fs.writeFile(path.join(dir, 'backup-sets.json'), '{"version":1,"sets":[{"bad":true}]}');
    await expect(new BackupSetsStore(dir).list()).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
