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
