import { describe, expect, it } from 'vitest';
import { worthNotifying } from './notifyOperationEnded';

const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 1, 0, s)).toISOString();

describe('which ended operations notify', () => {
  it('a success only when it took 5 s or more', () => {
    expect(worthNotifying({ state: 'succeeded', startedAt: at(0), endedAt: at(4) })).toBe(false);
    expect(worthNotifying({ state: 'succeeded', startedAt: at(0), endedAt: at(5) })).toBe(true);
  });
  it('any failure, however quick', () => {
    for (const state of ['failed', 'rolled-back', 'rollback-failed', 'cancelled'] as const) {
      expect(worthNotifying({ state, startedAt: at(0), endedAt: at(1) })).toBe(true);
    }
  });
  it('never one that has not ended', () => {
    expect(worthNotifying({ state: 'running', startedAt: at(0), endedAt: null })).toBe(false);
    expect(worthNotifying({ state: 'interrupted', startedAt: at(0), endedAt: null })).toBe(false);
  });
});
