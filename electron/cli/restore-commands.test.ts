import { describe, expect, it } from 'vitest';
import { RpcError } from '../../shared/contract/index.js';
import { planRestore } from '../core/restore/planner.js';
import { manifestOf, volumeSource } from '../core/restore/testing/fixtures.js';
import { fakeBackend, sampleHost } from '../core/rpc/test-fakes.js';
import { runCli } from './program.js';
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

describe('hindsight restore / operations over a fake backend', () => {
  async function run(args: string[], overrides: Record<string, Record<string, unknown>>) {
    const out: string[] = [];
    const err: string[] = [];
    const backend = fakeBackend({
      hosts: { list: async () => [{ ...sampleHost, id: 'h-uat', name: 'uat', protected: false }] },
      repositories: { list: async () => [{ id: 'r1', name: 'repo', kind: 'local', createdAt: '', hasSecret: false, builtIn: false }] },
      ...overrides,
    });
    const code = await runCli(args, { createBackend: async () => backend, configDir: '/cfg', appVersion: '1', output: { out: (s) => out.push(s), err: (s) => err.push(s) } });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('--as-of picks the snapshot through snapshots.asOf, then plans it', async () => {
    const seen: unknown[] = [];
    const r = await run(['restore', '--as-of', 'yesterday 18:00', '--set', 'shop', '--repo', 'repo', '--to-host', 'uat', '--map', 'files=x', '--dry-run', '--json'], {
      // A set without PostgreSQL: no point-in-time recovery to consider.
      backupSets: { list: async () => [{ id: 's1', createdAt: '', hasPassphrase: false, name: 'shop', hostId: 'h-prod', repositoryId: 'r1', sources: [{ kind: 'volume', volume: 'files' }] }] },
      snapshots: {
        asOf: async (input: unknown) => {
          seen.push(input);
          return { at: '', interpretation: 'yesterday 18:00 → 2026-11-20T18:00:00Z', warnings: [], sets: [{ set: 'shop', snapshot: { id: '20261120T170000Z-shop-abcd', set: 'shop', time: '', manifestKey: '' }, sources: [], missing: [], spreadSeconds: 0, warnings: [] }] };
        },
      },
      restore: {
        plan: async (input: { snapshotId: string; map: Record<string, string>; targetHostId: string }) => {
          seen.push(input);
          return { snapshotId: input.snapshotId, repositoryId: 'r1', targetHost: { id: 'h-uat', name: 'uat', protected: false }, targets: [], steps: [], bytes: 0, estimatedSeconds: 0, warnings: [], blockers: [], safetyCopy: true };
        },
      },
    });
    expect(r.code).toBe(0);
    expect(seen[0]).toMatchObject({ repositoryId: 'r1', when: 'yesterday 18:00', set: 'shop' });
    expect(seen[1]).toMatchObject({ snapshotId: '20261120T170000Z-shop-abcd', targetHostId: 'h-uat', map: { files: 'x' }, safetyCopy: true });
  });

  it('--as-of a time in the window of the set\'s PostgreSQL archive: point-in-time recovery onto the mapped container', async () => {
    const seen: unknown[] = [];
    const window = { baseId: 'b1', from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' };
    const r = await run(['restore', '--as-of', '2026-11-20T18:00:00Z', '--set', 'shop', '--repo', 'repo', '--to-host', 'uat', '--map', 'db=uat-db', '--json'], {
      backupSets: { list: async () => [{ id: 's1', createdAt: '', hasPassphrase: false, name: 'shop', hostId: 'h-prod', repositoryId: 'r1', sources: [{ kind: 'postgres', container: 'db', mode: 'dumpall' }] }] },
      pitr: {
        status: async () => ({ jobs: [], clusters: [{ cluster: '7', hostId: 'h-prod', hostName: 'production', container: 'db', serverVersion: '150010', bases: 1, segments: 3, storedBytes: 1, windows: [window], problems: [] }] }),
        restore: {
          title: () => 'recover',
          run: async (input: unknown) => {
            seen.push(input);
            return { cluster: '7', at: '2026-11-20T18:00:00.000Z', window, baseId: 'b1', segments: 3, bytes: 1, target: 'uat-db', dataVolume: 'v', commands: [], done: { replayedTo: '0/3000000', safetyVolume: 's' } };
          },
        },
      },
      snapshots: { asOf: async () => Promise.reject(new Error('not the snapshot path')) },
    });
    expect(r.code, r.err).toBe(0);
    expect(seen).toEqual([{ repositoryId: 'r1', cluster: '7', at: '2026-11-20T18:00:00.000Z', targetHostId: 'h-uat', target: 'uat-db', dryRun: false }]);
    expect(JSON.parse(r.out).pointInTime.done.safetyVolume).toBe('s');
  });

  it('operations shows interrupted ones with what rollback will do', async () => {
    const r = await run(['operations'], {
      operations: {
        list: async () => [
          { id: 'op1', kind: 'restore', title: 'Restore s onto uat', state: 'interrupted', snapshotId: 's', repositoryId: 'r1', targetHostId: 'h-uat', targetHostName: 'uat', targets: ['v'], step: 'restore', startedAt: 't', endedAt: null, recovery: 'put back from the safety copy' },
        ],
      },
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain('op1 was interrupted: put back from the safety copy — run `hindsight operations rollback op1`');
  });
});
