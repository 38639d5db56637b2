import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../testing/memory-backend.js';
import { MARKER_KEY } from './layout.js';
import { initRepository, openOrInitRepository, openRepository } from './repository.js';

const now = () => new Date('2026-11-21T22:15:30Z');

describe('repository marker', () => {
  it('init writes hindsight-repo.json and open reads it back', async () => {
    const b = new MemoryBackend();
    const { marker } = await initRepository(b, { now, id: 'r-1' });
    expect(marker).toEqual({ format: 'hindsight/1', id: 'r-1', createdAt: '2026-11-21T22:15:30.000Z', encryption: { scheme: 'none' } });
    expect(JSON.parse(b.objects.get(MARKER_KEY)!.data.toString())).toEqual(marker);
    expect((await openRepository(b)).marker).toEqual(marker);
  });

  it('refuses to init over an existing repository', async () => {
    const b = new MemoryBackend();
    await initRepository(b, { id: 'r-1' });
    await expect(initRepository(b)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already a Hindsight repository \(id r-1/) });
  });

  it('refuses to init over a location that holds other data', async () => {
    const b = new MemoryBackend();
    b.seed('backups/2019.tar', 'x');
    await expect(initRepository(b)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not empty.*backups\/2019\.tar/) });
    expect(b.objects.has(MARKER_KEY)).toBe(false);
  });

  it('refuses to open what is not a Hindsight repository, saying what is there', async () => {
    const empty = new MemoryBackend();
    await expect(openRepository(empty)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/empty.*repo init/) });
    const other = new MemoryBackend();
    other.seed('photos/cat.jpg', 'x');
    await expect(openRepository(other)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/not a Hindsight repository.*photos\/cat\.jpg/) });
  });

  it('refuses a newer format and a corrupt marker', async () => {
    const newer = new MemoryBackend();
    newer.seed(MARKER_KEY, JSON.stringify({ format: 'hindsight/2', id: 'x', createdAt: 'y', encryption: { scheme: 'none' } }));
    await expect(openRepository(newer)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/format hindsight\/2.*Update Hindsight/) });
    const corrupt = new MemoryBackend();
    corrupt.seed(MARKER_KEY, '{"format": "hindsight/1"');
    await expect(openRepository(corrupt)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/not valid JSON/) });
    const foreign = new MemoryBackend();
    foreign.seed(MARKER_KEY, JSON.stringify({ format: 'restic' }));
    await expect(openRepository(foreign)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('keeps working with fields a newer writer of format 1 added', async () => {
    const b = new MemoryBackend();
    b.seed(MARKER_KEY, JSON.stringify({ format: 'hindsight/1', id: 'x', createdAt: 'y', encryption: { scheme: 'age', recipients: 2 }, extra: true }));
    expect((await openRepository(b)).marker).toMatchObject({ id: 'x', encryption: { scheme: 'age' } });
  });

  it('openOrInit initialises an empty location once and opens it afterwards', async () => {
    const b = new MemoryBackend();
    const first = await openOrInitRepository(b, { id: 'r-1' });
    const second = await openOrInitRepository(b, { id: 'r-2' });
    expect(second.marker.id).toBe(first.marker.id);
    const other = new MemoryBackend();
    other.seed('x', 'y');
    await expect(openOrInitRepository(other)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
