import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../shared/contract/index.js';
import { agentStateWords, schedulerPending } from './agentState';

const report = (alive: boolean): AgentStatus['report'] => ({ version: '1', hostId: 'h', keyId: 'k', publicKey: 'p', daemon: { alive, pid: alive ? 1 : null, startedAt: null }, plans: [] });
const status = (p: Partial<AgentStatus>): AgentStatus => ({
  hostId: 'h',
  installed: true,
  state: 'running',
  version: '1',
  bundledVersion: '1',
  upgradeAvailable: false,
  keyPinned: true,
  keyId: 'k',
  report: report(true),
  problem: null,
  ...p,
});

describe('the agent card', () => {
  it('says "running" only when the scheduler has said it runs', () => {
    expect(agentStateWords(status({}))).toEqual({ text: 'running', ok: true });
    expect(agentStateWords(status({ report: report(false) }))).toEqual({ text: 'scheduler not running', ok: false });
    expect(agentStateWords(status({ state: 'restarting' }))).toEqual({ text: 'restarting', ok: false });
  });

  it('asks again while a running container answered without a running scheduler', () => {
    expect(schedulerPending(status({ report: report(false) }), false)).toBe(true);
  });

  it('does not ask again when the scheduler runs, the agent did not answer, the container stopped, or a task runs', () => {
    expect(schedulerPending(status({}), false)).toBe(false);
    expect(schedulerPending(status({ report: null, problem: 'the agent did not answer' }), false)).toBe(false);
    expect(schedulerPending(status({ state: 'exited', report: null, problem: 'The agent container is exited.' }), false)).toBe(false);
    expect(schedulerPending(status({ report: report(false) }), true)).toBe(false);
    expect(schedulerPending(status({ installed: false, state: null, report: null }), false)).toBe(false);
    expect(schedulerPending(null, false)).toBe(false);
  });
});
