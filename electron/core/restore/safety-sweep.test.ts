import { describe, expect, it } from 'vitest';
import type { Journal } from './journal.js';
import { DEFAULT_SAFETY_RETENTION_DAYS, safetyRetentionDays, sweepDecision } from './safety-sweep.js';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 3600 * 1000).toISOString();

function journal(state: Journal['state'], endedAt: string | null, id = '20261101T000000Z-restore-abcdef'): Journal {
  return {
    version: 1,
    id,
    kind: 'restore',
    state,
    step: state === 'running' ? 'restore' : 'done',
    pid: 1,
    user: 'me',
    snapshotId: 's',
    repositoryId: 'local',
    sourceHost: 'production',
    targetHostId: 'h-uat',
    targetHostName: 'uat',
    safetyCopy: true,
    targets: [],
    startedAt: daysAgo(30),
    updatedAt: daysAgo(30),
    endedAt,
    log: [],
    history: [],
    restarted: [],
    rolledBack: [],
    warnings: [],
  };
}

const opts = { now: NOW, retentionDays: 7, active: new Set<string>() };

describe('sweepDecision: which safety copies may go', () => {
  it('removes those of operations that ended well, older than the retention', () => {
    expect(sweepDecision(journal('rolled-back', daysAgo(8)), opts).remove).toBe(true);
    expect(sweepDecision(journal('succeeded', daysAgo(30)), opts).remove).toBe(true);
  });

  it('keeps them within the retention (the boundary included)', () => {
    expect(sweepDecision(journal('rolled-back', daysAgo(6.9)), opts).remove).toBe(false);
    expect(sweepDecision(journal('rolled-back', daysAgo(1)), opts)).toMatchObject({ remove: false, reason: expect.stringContaining('within the retention') });
    expect(sweepDecision(journal('rolled-back', daysAgo(7)), opts).remove).toBe(true);
    expect(sweepDecision(journal('rolled-back', daysAgo(1)), { ...opts, retentionDays: 0 }).remove).toBe(true);
  });

  it('never removes those of interrupted, rollback-failed or failed operations, however old', () => {
    expect(sweepDecision(journal('running', null), opts)).toMatchObject({ remove: false, reason: expect.stringContaining('interrupted') });
    expect(sweepDecision(journal('rollback-failed', daysAgo(365)), opts).remove).toBe(false);
    expect(sweepDecision(journal('failed', daysAgo(365)), opts).remove).toBe(false);
  });

  it('never removes those of an operation running in this process, nor without a journal or end time', () => {
    const j = journal('rolled-back', daysAgo(30));
    expect(sweepDecision(j, { ...opts, active: new Set([j.id]) }).remove).toBe(false);
    expect(sweepDecision(undefined, opts).remove).toBe(false);
    expect(sweepDecision(journal('succeeded', null), opts).remove).toBe(false);
    expect(sweepDecision(journal('succeeded', 'not a date'), opts).remove).toBe(false);
  });
});

describe('safetyRetentionDays', () => {
  it('reads HINDSIGHT_SAFETY_RETENTION_DAYS, falling back to the default on anything unusable', () => {
    expect(safetyRetentionDays({})).toBe(DEFAULT_SAFETY_RETENTION_DAYS);
    expect(safetyRetentionDays({ HINDSIGHT_SAFETY_RETENTION_DAYS: '30' })).toBe(30);
    expect(safetyRetentionDays({ HINDSIGHT_SAFETY_RETENTION_DAYS: '0' })).toBe(0);
    expect(safetyRetentionDays({ HINDSIGHT_SAFETY_RETENTION_DAYS: '1.5' })).toBe(1.5);
    for (const bad of ['', ' ', '-1', 'week', 'Infinity']) expect(safetyRetentionDays({ HINDSIGHT_SAFETY_RETENTION_DAYS: bad })).toBe(DEFAULT_SAFETY_RETENTION_DAYS);
  });
});

describe('sweepSafetyCopies: copies kept on a host', () => {
  it('are never guessed away: kept without a way to reach the host, or when it cannot be reached; the copy names', async () => {
    const { mkdtemp, mkdir, rm, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeJournal } = await import('./journal.js');
    const { sweepSafetyCopies } = await import('./safety-sweep.js');
    const { hostCopyVolume, safetyVolumeName } = await import('./host-safety.js');
    const dir = await mkdtemp(join(tmpdir(), 'sweep-host-'));
    try {
      const j = journal('rolled-back', daysAgo(30));
      const copy = safetyVolumeName(j.id, 0);
      expect(copy).toBe('hindsight-safety-20261101T000000Z-restore-abcdef-1');
      expect(safetyVolumeName('a/b c', 2)).toBe('hindsight-safety-a-b-c-3');
      j.targets = [{ source: 'files', kind: 'volume', target: 'shop_files', created: false, users: [], touched: false, safetyCopy: `volume:${copy}`, safetyCopyImage: 'sha256:x' }];
      expect(hostCopyVolume(j.targets[0]!.safetyCopy)).toBe(copy);
      expect(hostCopyVolume('/config/safety/op/files.tar.zst')).toBeUndefined();
      await writeJournal(dir, j);
      await mkdir(join(dir, 'safety', j.id), { recursive: true });
      // At start-up (no engineFor): kept, whatever its age.
      expect(await sweepSafetyCopies(dir, { now: NOW, retentionDays: 7 })).toEqual({ removed: [], kept: [j.id] });
      // The host cannot be reached: kept, and tried again next time.
      const unreachable = async () => {
        throw new Error('ssh: connect timed out');
      };
      expect(await sweepSafetyCopies(dir, { now: NOW, retentionDays: 7, engineFor: unreachable })).toEqual({ removed: [], kept: [j.id] });
      expect((await stat(join(dir, 'safety', j.id))).isDirectory()).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a database’s copy kept by the host’s agent is kept the same way; its journal reference is one name in one operation', async () => {
    const { mkdtemp, mkdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeJournal } = await import('./journal.js');
    const { sweepSafetyCopies } = await import('./safety-sweep.js');
    const { agentCopyOf } = await import('./agent-safety.js');
    const { AgentPutBackRequest } = await import('../agent/safety-requests.js');
    const dir = await mkdtemp(join(tmpdir(), 'sweep-agent-'));
    try {
      const j = journal('succeeded', daysAgo(30));
      j.targets = [{ source: 'db', kind: 'postgres', target: 'shop-db-1', created: false, users: [], touched: false, safetyCopy: `agent:${j.id}/db.sql.zst` }];
      expect(agentCopyOf(j.targets[0]!.safetyCopy)).toEqual({ operation: j.id, file: 'db.sql.zst' });
      for (const other of ['volume:x', '/config/safety/op/db.sql.zst', 'agent:op', 'agent:op/a/b', undefined]) expect(agentCopyOf(other)).toBeUndefined();
      // The agent checks the names itself: a request can only reach its own safety folder.
      const target = { source: 'db', kind: 'postgres', target: 'shop-db-1' };
      expect(AgentPutBackRequest.safeParse({ operation: j.id, file: 'db.sql.zst', target }).success).toBe(true);
      for (const [operation, file] of [['..', 'db.sql.zst'], [j.id, '../../key'], [j.id, 'a/b'], ['.hidden', 'x'], [j.id, '']]) {
        expect(AgentPutBackRequest.safeParse({ operation, file, target }).success, `${operation} ${file}`).toBe(false);
      }
      await writeJournal(dir, j);
      await mkdir(join(dir, 'safety', j.id), { recursive: true });
      expect(await sweepSafetyCopies(dir, { now: NOW, retentionDays: 7 })).toEqual({ removed: [], kept: [j.id] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
