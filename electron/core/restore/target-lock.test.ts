import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TargetLocks } from './target-lock.js';

const vol = (name: string) => ({ engineId: 'ENGINE-UAT', kind: 'volume' as const, name });

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

  it('a stale lock taken over by several processes at once ends with exactly one holder', async () => {
    const locks = new TargetLocks(dir);
    await locks.acquire('op-dead', [vol('a')]);
    const file = path.join(dir, 'operations', 'locks', (await fsp.readdir(path.join(dir, 'operations', 'locks')))[0]!);
    // A holder that died: a pid that is not running.
    await fsp.writeFile(file, JSON.stringify({ opId: 'op-dead', pid: 2 ** 22 + 7, token: 'dead' }));
    const script = `
      const { TargetLocks } = await import(${JSON.stringify(path.resolve('electron/core/restore/target-lock.ts'))});
      await new Promise((r) => setTimeout(r, Number(process.argv[2]) - Date.now()));
      try { await new TargetLocks(${JSON.stringify(dir)}).acquire('op-' + process.pid, [{ engineId: 'ENGINE-UAT', kind: 'volume', name: 'a' }]); console.log('won'); }
      catch (e) { console.log(e.code); }
      await new Promise((r) => setTimeout(r, 1500));`;
    const tsx = path.resolve('node_modules/.bin/tsx');
    const scriptFile = path.join(dir, 'contender.mts');
    await fsp.writeFile(scriptFile, script);
    const start = String(Date.now() + 4000);
    const runs = Array.from({ length: 5 }, () => new Promise<string>((resolve) => {
      const child = spawn(tsx, [scriptFile, start], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', () => resolve(out.trim()));
    }));
    const results = await Promise.all(runs);
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'CONFLICT')).toHaveLength(4);
  }, 30_000);
});
