import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInterrupted, summarize } from './handlers.js';
import { journalPath, listJournals, readJournal, recoveryAction, writeJournal, type Journal, type JournalStep } from './journal.js';

function journal(step: JournalStep, over: Partial<Journal> = {}, target: Partial<Journal['targets'][number]> = {}): Journal {
  return {
    version: 1,
    id: '20261121T230000Z-restore-abcdef',
    kind: 'restore',
    state: 'running',
    step,
    pid: process.pid,
    user: 'me',
    snapshotId: 's',
    repositoryId: 'local',
    sourceHost: 'production',
    targetHostId: 'h-uat',
    targetHostName: 'uat',
    safetyCopy: true,
    targets: [{ source: 'files', kind: 'volume', target: 'shop_files', created: false, users: [], touched: false, ...target }],
    startedAt: '2026-11-21T23:00:00.000Z',
    updatedAt: '2026-11-21T23:00:00.000Z',
    endedAt: null,
    log: [],
    history: [],
    restarted: [],
    rolledBack: [],
    warnings: [],
    ...over,
  };
}

const user = { id: 'c1', name: 'shop-app-1', state: 'running' as const, status: 'running' };

describe('recoveryAction: a crash after each step', () => {
  it('recover (a point-in-time recovery replaying into its own volume): nothing of the target to undo; the leftover volume named', () => {
    const a = recoveryAction(journal('recover', { pointInTime: { cluster: '1', at: '2026-12-06T12:00:00.000Z', baseId: 'b', recoveryVolume: 'hindsight-pitr-x' } }, { users: [user] }));
    expect(a.kind).toBe('none');
    expect(a.reason).toMatch(/hindsight-pitr-x/);
  });

  it('planned / preflight: nothing to do', () => {
    expect(recoveryAction(journal('planned')).kind).toBe('none');
    expect(recoveryAction(journal('preflight')).kind).toBe('none');
  });
  it('stop-users: the containers recorded before stopping are started again', () => {
    expect(recoveryAction(journal('stop-users', {}, { users: [user] })).kind).toBe('restart');
    expect(recoveryAction(journal('stop-users')).kind).toBe('none');
  });
  it('safety-copy: data untouched, restart only', () => {
    expect(recoveryAction(journal('safety-copy', {}, { users: [user] })).kind).toBe('restart');
    expect(recoveryAction(journal('safety-copy', {}, { users: [user], safetyCopy: '/x.tar.zst' })).kind).toBe('restart');
  });
  it('restore / verify / restart with a safety copy: roll back', () => {
    for (const step of ['restore', 'verify', 'restart', 'rollback'] as const) {
      const a = recoveryAction(journal(step, {}, { users: [user], safetyCopy: '/x.tar.zst', touched: true }));
      expect(a).toMatchObject({ kind: 'rollback', targets: ['shop_files'] });
    }
  });
  it('a created volume needs no safety copy (it is removed)', () => {
    expect(recoveryAction(journal('restore', {}, { created: true, touched: true })).kind).toBe('rollback');
  });
  it('touched without a safety copy: restart, and say what cannot be undone', () => {
    const a = recoveryAction(journal('restore', { safetyCopy: false }, { users: [user], touched: true }));
    expect(a).toMatchObject({ kind: 'restart-unrecoverable', targets: ['shop_files'] });
  });
  it('a verify, at any step: its throwaways are removed — never "cannot be undone" for a database container without a safety copy', () => {
    const db = { source: 'db', kind: 'postgres' as const, target: 'hindsight-verify-abcdef-db', created: false, users: [], touched: true };
    for (const step of ['planned', 'preflight', 'restore', 'verify', 'rollback'] as const) {
      const a = recoveryAction(journal(step, { kind: 'verify', safetyCopy: false, targets: [db] }));
      expect(a).toMatchObject({ kind: 'rollback', targets: ['hindsight-verify-abcdef-db'] });
      expect(a.reason).toContain('throwaway');
    }
  });

  it('restore entered but the target not yet marked touched: restart only', () => {
    expect(recoveryAction(journal('restore', {}, { users: [user] })).kind).toBe('restart');
  });
});

describe('journal files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hs-journal-'));
  });
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('writes atomically (0600), reads back, lists newest first', async () => {
    const a = journal('restore');
    await writeJournal(dir, a);
    const b = journal('done', { id: '20261121T230100Z-restore-111111', startedAt: '2026-11-21T23:01:00.000Z', state: 'succeeded' });
    await writeJournal(dir, b);
    expect((await fsp.stat(journalPath(dir, a.id))).mode & 0o777).toBe(0o600);
    expect((await readJournal(dir, a.id))?.step).toBe('restore');
    expect((await listJournals(dir)).map((j) => j.id)).toEqual([b.id, a.id]);
    expect(await readJournal(dir, '../etc/passwd')).toBeUndefined();
    expect((await fsp.readdir(path.join(dir, 'operations'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a running journal of no live operation is interrupted, with its recovery', () => {
    const dead = journal('restore', { pid: 2 ** 22 + 12345 }, { safetyCopy: '/x', touched: true });
    expect(isInterrupted(dead, new Set())).toBe(true);
    expect(summarize(dead, new Set())).toMatchObject({ state: 'interrupted', recovery: expect.stringContaining('safety copy') });
    const mine = journal('restore');
    expect(isInterrupted(mine, new Set([mine.id]))).toBe(false);
    expect(isInterrupted(mine, new Set())).toBe(true);
    expect(isInterrupted(journal('done', { state: 'succeeded' }), new Set())).toBe(false);
  });
});
