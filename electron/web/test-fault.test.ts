import { describe, expect, it } from 'vitest';
import type { Journal } from '../core/restore/journal.js';
import { faultHookFromEnv, parseFaults } from './test-fault.js';

const journal = (kind: Journal['kind']) => ({ kind }) as Journal;

describe('the test-only fault hook', () => {
  it('is off unless both variables are set, and says so', () => {
    const said: string[] = [];
    expect(faultHookFromEnv({}, (m) => said.push(m))).toBeUndefined();
    expect(faultHookFromEnv({ HINDSIGHT_TEST_FAULT: 'restore:verify' }, (m) => said.push(m))).toBeUndefined();
    expect(said.join()).toMatch(/ignored/);
  });

  it('throws at the start of the named step of that kind only, announced loudly', async () => {
    const said: string[] = [];
    const hook = faultHookFromEnv({ HINDSIGHT_TEST_FAULT: 'restore:verify', HINDSIGHT_TEST_FAULTS_ENABLED: '1' }, (m) => said.push(m))!;
    expect(said.join()).toMatch(/TEST-ONLY FAULT INJECTION ON/);
    expect(() => hook('verify', journal('restore'))).toThrow(/Test fault injected at the start of step verify/);
    expect(hook('restore', journal('restore'))).toBeUndefined();
    expect(hook('verify', journal('verify'))).toBeUndefined();
  });

  it('refuses a malformed spec', () => {
    expect(parseFaults('restore:verify, verify:restore')).toEqual([
      { kind: 'restore', step: 'verify' },
      { kind: 'verify', step: 'restore' },
    ]);
    expect(() => parseFaults('restore:nope')).toThrow(/not <restore\|verify>:<step>/);
    expect(() => parseFaults('backup:copy')).toThrow();
  });
});
