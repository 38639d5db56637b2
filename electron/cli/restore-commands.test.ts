import { describe, expect, it } from 'vitest';
import { RpcError } from '../../shared/contract/index.js';
import { planRestore } from '../core/restore/planner.js';
import { manifestOf, volumeSource } from '../core/restore/testing/fixtures.js';
import { describePlan, exitCodeOf, parseMap } from './restore-commands.js';

describe('restore CLI helpers', () => {
  it('parses --map source=target', () => {
    expect(parseMap(['files=new vol', 'db=other=x'])).toEqual({ files: 'new vol', db: 'other=x' });
    expect(() => parseMap(['files'])).toThrow(/source=target/);
    expect(() => parseMap(['=x'])).toThrow(/source=target/);
  });

  it('maps errors to exit codes: refused 3, failed 2, usage 1', () => {
    expect(exitCodeOf(new RpcError('CONFLICT', 'protected', 'refused: protected host'))).toBe(3);
    expect(exitCodeOf(new RpcError('INVALID_INPUT', 'Refused: …', 'refused: plan blockers'))).toBe(3);
    expect(exitCodeOf(new RpcError('INTERNAL', 'corrupted — rolled back', 'operation x; state rolled-back'))).toBe(2);
    expect(exitCodeOf(new RpcError('TCP_FAILED', 'unreachable'))).toBe(2);
    expect(exitCodeOf(new RpcError('INVALID_INPUT', 'bad map'))).toBe(1);
    expect(exitCodeOf(new RpcError('NOT_FOUND', 'no such repo'))).toBe(1);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
  });

  it('describes a plan with its commands and refusals', () => {
    const plan = planRestore({
      manifest: manifestOf([volumeSource()]),
      repositoryId: 'local',
      target: { id: 'p', name: 'production', protected: true },
      map: {},
      safetyCopy: true,
      inventory: { volumes: [], containers: [] },
    });
    const text = describePlan(plan);
    expect(text).toContain('onto production (PROTECTED)');
    expect(text).toContain('files (volume) → volume shop_files (new)');
    expect(text).toMatch(/\$ cat data\/.*\| zstd -d \| docker volume create shop_files/);
    expect(text).toContain('REFUSED: Host production is protected');
  });
});
