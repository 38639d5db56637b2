import { describe, expect, it } from 'vitest';
import type { OperationSummary } from '../../shared/contract/index.js';
import { endedSince } from './useOperationsStore';

const NOW = Date.parse('2026-11-22T02:00:00Z');
function op(id: string, state: OperationSummary['state'], endedAgoSeconds: number | null): OperationSummary {
  return {
    id,
    kind: 'backup',
    state,
    title: id,
    snapshotId: '',
    repositoryId: 'r',
    targetHostId: 'h',
    targetHostName: 'h',
    targets: [],
    step: 'done',
    startedAt: new Date(NOW - 600_000).toISOString(),
    endedAt: endedAgoSeconds == null ? null : new Date(NOW - endedAgoSeconds * 1000).toISOString(),
  };
}

describe('which operations just ended', () => {
  it('one that was running and now is not', () => {
    expect(endedSince([op('a', 'running', null)], [op('a', 'failed', 1)], NOW).map((o) => o.id)).toEqual(['a']);
  });
  it('not one that had already ended, nor one still running', () => {
    expect(endedSince([op('a', 'failed', 100), op('b', 'running', null)], [op('a', 'failed', 100), op('b', 'running', null)], NOW)).toEqual([]);
  });
  it('one never seen running that ended just now, but not an old one nor an interrupted one', () => {
    const next = [op('quick', 'failed', 2), op('old', 'succeeded', 3600), op('crash', 'interrupted', null)];
    expect(endedSince([], next, NOW).map((o) => o.id)).toEqual(['quick']);
  });
  it('not a rollback of an interrupted one (the rollback tells by itself)', () => {
    expect(endedSince([op('a', 'interrupted', null)], [op('a', 'rolled-back', 1)], NOW)).toEqual([]);
  });
});
