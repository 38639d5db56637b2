import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TargetLocks } from './target-lock.js';

const vol = (name: string) => ({ hostId: 'h-uat', kind: 'volume' as const, name });

describe('TargetLocks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hs-lock-'));
  });
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('refuses a second operation on the same target (CONFLICT), allows another target, frees on release', async () => {
    const locks = new TargetLocks(dir);
    const release = await locks.acquire('op-1', [vol('a')]);
    await expect(locks.acquire('op-2', [vol('a')])).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('op-1') });
    const other = await locks.acquire('op-3', [vol('b')]);
    expect(await locks.holder(vol('a'))).toBe('op-1');
    await release();
    await release(); // idempotent
    expect(await locks.holder(vol('a'))).toBeUndefined();
    await (await locks.acquire('op-2', [vol('a')]))();
    await other();
  });

  it('takes all targets or none', async () => {
    const locks = new TargetLocks(dir);
    const r = await locks.acquire('op-1', [vol('b')]);
    await expect(locks.acquire('op-2', [vol('a'), vol('b')])).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await locks.holder(vol('a'))).toBeUndefined();
    await r();
  });

  it('is seen by another process through the lock file; a dead holder is stale', async () => {
    const first = new TargetLocks(dir);
    await first.acquire('op-1', [vol('a')]);
    const file = (await fsp.readdir(path.join(dir, 'operations', 'locks')))[0]!;
    const full = path.join(dir, 'operations', 'locks', file);
    // A live other process holds it.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await fsp.writeFile(full, JSON.stringify({ opId: 'op-other', pid: child.pid }));
      const second = new TargetLocks(dir);
      await expect(second.acquire('op-2', [vol('a')])).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('op-other') });
    } finally {
      child.kill();
    }
    await new Promise((r) => child.once('exit', r));
    // Its process is gone: stale, taken over.
    const third = new TargetLocks(dir);
    const release = await third.acquire('op-3', [vol('a')]);
    expect(JSON.parse(await fsp.readFile(full, 'utf8'))).toMatchObject({ opId: 'op-3', pid: process.pid });
    await release();
  });
});
