import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../testing/memory-backend.js';
import { acquireLock, lockEntries } from './locks.js';

const noSleep = async () => undefined;

describe('repository locks', () => {
  it('one holder at a time; release frees it', async () => {
    const b = new MemoryBackend();
    const lock = await acquireLock(b, 'maintenance', { owner: 'alice@laptop', purpose: 'prune', sleep: noSleep });
    expect(lock.key).toMatch(/^locks\/maintenance\/[0-9a-f]{16}\.json$/);
    await expect(acquireLock(b, 'maintenance', { owner: 'bob@desk', sleep: noSleep })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/locked for "prune" by alice@laptop/),
    });
    // The loser left nothing behind.
    expect([...b.objects.keys()]).toEqual([lock.key]);
    // Another lock name is independent.
    await (await acquireLock(b, 'other', { sleep: noSleep })).release();
    await lock.release();
    await (await acquireLock(b, 'maintenance', { owner: 'bob@desk', sleep: noSleep })).release();
    expect(b.objects.size).toBe(0);
  });

  it('an expired entry (a crashed writer) does not block, and is cleared', async () => {
    const b = new MemoryBackend();
    let clock = Date.parse('2026-11-21T22:00:00Z');
    const now = () => clock;
    const crashed = await acquireLock(b, 'maintenance', { ttlMs: 60_000, now, sleep: noSleep });
    clock += 60_000 + 10_000; // past the expiry, but within the skew allowance: still held
    await expect(acquireLock(b, 'maintenance', { now, sleep: noSleep })).rejects.toMatchObject({ code: 'CONFLICT' });
    clock += 30_000;
    const next = await acquireLock(b, 'maintenance', { now, sleep: noSleep });
    expect(b.objects.has(crashed.key)).toBe(false);
    // The crashed writer, waking up, learns it lost the lock.
    await expect(crashed.refresh()).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/expired and was cleared/) });
    await next.release();
  });

  it('refresh pushes the expiry forward', async () => {
    const b = new MemoryBackend();
    let clock = 1_000_000;
    const lock = await acquireLock(b, 'm', { ttlMs: 60_000, now: () => clock, sleep: noSleep });
    clock += 50_000;
    await lock.refresh();
    const [entry] = await lockEntries(b, 'm', clock);
    expect(Date.parse(entry!.expiresAt)).toBe(clock + 60_000);
    await lock.release();
  });

  it('two writers colliding: at most one wins, the other retries', async () => {
    const b = new MemoryBackend();
    // Both write their entries before either lists: both lose round 1, then one wins.
    const results = await Promise.allSettled([acquireLock(b, 'm', { owner: 'a', sleep: noSleep }), acquireLock(b, 'm', { owner: 'b', sleep: noSleep })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won.length).toBeLessThanOrEqual(1);
    expect((await lockEntries(b, 'm', Date.now())).length).toBe(won.length);
  });

  it('refuses a bad lock name', async () => {
    await expect(acquireLock(new MemoryBackend(), '../x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
