import { describe, expect, it } from 'vitest';
import type { BackupJournal } from '../backup/backup-journal.js';
import { advanceBackupJournal } from '../backup/backup-journal.js';
import type { Journal } from '../restore/journal.js';
import { backupStepsFromJournal, restoreStepsFromJournal } from './operation-steps.js';

const T = (m: number) => `2026-11-21T23:0${m}:00.000Z`;

function restoreJournal(over: Partial<Journal> = {}): Journal {
  return {
    version: 1,
    id: 'op',
    kind: 'restore',
    state: 'running',
    step: 'planned',
    pid: process.pid,
    user: 'me',
    snapshotId: 's',
    repositoryId: 'r',
    sourceHost: 'production',
    targetHostId: 'h',
    targetHostName: 'uat',
    safetyCopy: true,
    targets: [{ source: 'files', kind: 'volume', target: 'shop_files', created: false, users: [{ id: 'c', name: 'shop-app-1', state: 'running', status: 'Up' }], touched: false }],
    startedAt: T(0),
    updatedAt: T(0),
    endedAt: null,
    log: [],
    history: [],
    restarted: [],
    rolledBack: [],
    warnings: [],
    ...over,
  };
}

const states = (steps: Array<{ kind: string; state: string }>) => steps.map((s) => `${s.kind}:${s.state}`);
const h = (...steps: Journal['history'][number]['step'][]) => steps.map((step, i) => ({ step, at: T(i) }));

describe('restore steps from the journal', () => {
  it('a point-in-time recovery: recover comes before the swap, restart before the check', () => {
    const pitr = { cluster: '7716', at: '2026-12-06T12:07:34.000Z', baseId: 'b1', recoveryVolume: 'hindsight-pitr-op' };
    const steps = restoreStepsFromJournal(restoreJournal({ step: 'stop-users', pointInTime: pitr, history: h('preflight', 'recover', 'stop-users') }));
    expect(states(steps)).toEqual(['preflight:done', 'recover:done', 'stop-users:running', 'safety-copy:pending', 'restore:pending', 'restart:pending', 'verify:pending']);
    expect(steps[1]!.description).toBe("Replay cluster 7716's WAL to 2026-12-06T12:07:34Z into a new volume (base backup b1)");
    expect(steps[4]!.description).toBe('Fill shop_files from the recovered volume');
    expect(steps[6]!.description).toBe('Check that the server answers, out of recovery');
    // Failed while replaying: the target was never stopped.
    const failed = restoreStepsFromJournal(restoreJournal({ state: 'rolled-back', step: 'recover', failedStep: 'recover', pointInTime: pitr, history: h('preflight', 'recover'), endedAt: T(3) }));
    expect(states(failed).slice(0, 3)).toEqual(['preflight:done', 'recover:failed', 'stop-users:skipped']);
  });

  it('running: done before, running now, pending after — with times from the history', () => {
    const steps = restoreStepsFromJournal(restoreJournal({ step: 'restore', history: h('preflight', 'stop-users', 'safety-copy', 'restore') }));
    expect(states(steps)).toEqual(['preflight:done', 'stop-users:done', 'safety-copy:done', 'restore:running', 'verify:pending', 'restart:pending']);
    expect(steps[0]).toMatchObject({ startedAt: T(0), endedAt: T(1), description: 'Pre-flight checks on uat' });
    expect(steps[1]!.description).toBe('Stop shop-app-1');
    expect(steps[3]).toMatchObject({ startedAt: T(3) });
    expect(steps[3]!.endedAt).toBeUndefined();
  });

  it('succeeded: steps never entered are skipped', () => {
    const steps = restoreStepsFromJournal(restoreJournal({ state: 'succeeded', step: 'done', safetyCopy: false, history: h('preflight', 'stop-users', 'restore', 'verify', 'restart'), endedAt: T(6) }));
    expect(states(steps)).toEqual(['preflight:done', 'stop-users:done', 'safety-copy:skipped', 'restore:done', 'verify:done', 'restart:done']);
    expect(steps.at(-1)).toMatchObject({ startedAt: T(4), endedAt: T(6) });
  });

  it('failed in verify and rolled back: the failing step failed, the written data rolled back, a rollback step done', () => {
    const j = restoreJournal({ state: 'rolled-back', step: 'rollback', failedStep: 'verify', history: h('preflight', 'stop-users', 'safety-copy', 'restore', 'verify', 'rollback'), endedAt: T(7) });
    expect(states(restoreStepsFromJournal(j))).toEqual([
      'preflight:done',
      'stop-users:done',
      'safety-copy:done',
      'restore:rolled-back',
      'verify:failed',
      'restart:skipped',
      'rollback:done',
    ]);
  });

  it('a rollback under way shows the failed step failed and the rollback running', () => {
    const j = restoreJournal({ step: 'rollback', failedStep: 'restore', history: h('preflight', 'restore', 'rollback') });
    expect(states(restoreStepsFromJournal(j))).toEqual(['preflight:done', 'stop-users:skipped', 'safety-copy:skipped', 'restore:failed', 'verify:skipped', 'restart:skipped', 'rollback:running']);
  });

  it('interrupted (process gone): the step it was in is failed; a journal without history counts the steps before as entered', () => {
    const j = restoreJournal({ step: 'safety-copy' });
    expect(states(restoreStepsFromJournal(j, true))).toEqual(['preflight:done', 'stop-users:done', 'safety-copy:failed', 'restore:skipped', 'verify:skipped', 'restart:skipped']);
  });

  it('a failed verify: its rollback step is the removal of the throwaways — done, or failed naming what was left', () => {
    const over = { kind: 'verify' as const, state: 'failed' as const, step: 'rollback' as const, failedStep: 'verify' as const, history: h('preflight', 'restore', 'verify', 'rollback'), endedAt: T(5) };
    const steps = restoreStepsFromJournal(restoreJournal(over));
    expect(states(steps)).toEqual(['preflight:done', 'stop-users:skipped', 'safety-copy:skipped', 'restore:done', 'verify:failed', 'restart:skipped', 'rollback:done']);
    expect(steps.at(-1)!.description).toBe('Remove the throwaway volumes and containers');
    const left = restoreStepsFromJournal(restoreJournal({ ...over, leftovers: ['hindsight-verify-abcdef-db'] })).at(-1)!;
    expect(left).toMatchObject({ state: 'failed', description: expect.stringContaining('not removed: hindsight-verify-abcdef-db') });
  });

  it('a new volume: no safety copy and no stop step to wait for', () => {
    const j = restoreJournal({ step: 'preflight', history: h('preflight'), targets: [{ source: 'files', kind: 'volume', target: 'new', created: true, users: [], touched: false }] });
    expect(states(restoreStepsFromJournal(j))).toEqual(['preflight:running', 'stop-users:skipped', 'safety-copy:skipped', 'restore:pending', 'verify:pending', 'restart:pending']);
  });
});

function backupJournal(over: Partial<BackupJournal> = {}): BackupJournal {
  return {
    version: 1,
    id: 'x-backup-abcdef',
    kind: 'backup',
    state: 'running',
    step: 'planned',
    pid: process.pid,
    user: 'me',
    snapshotId: 's',
    set: 'shop',
    repositoryId: 'r',
    hostId: 'h',
    hostName: 'production',
    sources: ['files', 'db'],
    doneSources: [],
    history: [],
    startedAt: T(0),
    updatedAt: T(0),
    endedAt: null,
    ...over,
  };
}

describe('backup steps from the journal', () => {
  it('follows the progress reports: copy per source, then manifest; each change once', () => {
    const j = backupJournal();
    expect(states(backupStepsFromJournal(j))).toEqual(['copy:pending', 'copy:pending', 'manifest:pending']);
    expect(advanceBackupJournal(j, 'copy', 'files', T(1))).toBe(true);
    expect(advanceBackupJournal(j, 'copy', 'files', T(2))).toBe(false);
    expect(states(backupStepsFromJournal(j))).toEqual(['copy:running', 'copy:pending', 'manifest:pending']);
    advanceBackupJournal(j, 'copy', 'db', T(3));
    expect(j.doneSources).toEqual(['files']);
    const steps = backupStepsFromJournal(j);
    expect(states(steps)).toEqual(['copy:done', 'copy:running', 'manifest:pending']);
    expect(steps[0]).toMatchObject({ source: 'files', startedAt: T(1), endedAt: T(3) });
    advanceBackupJournal(j, 'manifest', undefined, T(4));
    expect(states(backupStepsFromJournal(j))).toEqual(['copy:done', 'copy:done', 'manifest:running']);
  });

  it('failed in the second source: that copy failed, the manifest skipped; interrupted likewise', () => {
    const j = backupJournal({ step: 'copy', currentSource: 'db', doneSources: ['files'], state: 'failed', endedAt: T(5) });
    expect(states(backupStepsFromJournal(j))).toEqual(['copy:done', 'copy:failed', 'manifest:skipped']);
    const k = backupJournal({ step: 'copy', currentSource: 'files' });
    expect(states(backupStepsFromJournal(k, true))).toEqual(['copy:failed', 'copy:skipped', 'manifest:skipped']);
  });

  it('succeeded: everything done', () => {
    expect(states(backupStepsFromJournal(backupJournal({ state: 'succeeded', step: 'done' })))).toEqual(['copy:done', 'copy:done', 'manifest:done']);
  });
});
