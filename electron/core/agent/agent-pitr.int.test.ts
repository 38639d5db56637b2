/**
 * Point-in-time recovery through the CLI and the agent (issue 10 item 2): `hindsight pitr enable`
 * on production's agent (slot, pg_receivewal, base backup — into the lab's S3), the agent's steps
 * ship the WAL, `pitr status` shows the window, and `hindsight restore --as-of <time> --set S
 * --to-host uat` recovers the set's PostgreSQL to that time onto uat: rows inserted before are
 * there, rows inserted after are not — run by uat's agent. `pitr disable` drops the slot. A time outside the window
 * falls back to the snapshot as-of, which has none: a clear error, uat untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PitrStatus } from '../../../shared/contract/pitr.js';
import { POSTGRES, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { listJournals } from '../restore/journal.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { AGENT_COMMAND, AGENT_CONTAINER, AGENT_VOLUME } from './agent-names.js';
import { agentTestBed, type AgentTestBed } from './testing/lab-agent.js';

let bed: AgentTestBed;
const source = uniqueName('hs-pitr-agent-src');
const target = uniqueName('hs-pitr-agent-uat');
const set = uniqueName('pitr-set');

const sql = (machine: 'production' | 'uat', container: string, q: string) => dockerCli(bed.t.lab.machines[machine], 'exec', container, 'psql', '-U', 'postgres', '-Atc', q);

beforeAll(async () => {
  bed = await agentTestBed('agent-pitr');
  const prod = bed.t.lab.machines.production;
  await dockerCli(prod, 'rm', '-f', AGENT_CONTAINER).catch(() => undefined);
  await dockerCli(prod, 'volume', 'rm', '-f', AGENT_VOLUME).catch(() => undefined);
  await bed.manager.install(bed.t.ids.production, bed.ctx());
  // uat's agent runs the recovery: the archive streams from the repository to uat directly.
  await bed.manager.install(bed.t.ids.uat, bed.ctx());
  await dockerCli(prod, 'run', '-d', '--name', source, '--network', 'none', '--label', 'org.hindsight.test=sources', POSTGRES);
  await dockerCli(bed.t.lab.machines.uat, 'run', '-d', '--name', target, '--network', 'none', '--label', 'org.hindsight.test=sources', '-v', `${target}-data:/var/lib/postgresql/data`, POSTGRES);
  for (const [m, c] of [['production', source], ['uat', target]] as const) await waitFor(`postgres in ${c}`, async () => (await sql(m, c, 'SELECT 1').catch(() => '')) === '1', 60_000);
  const add = await bed.cli('sets', 'add', set, '--host', 'production', '--repo', bed.repoName, '--postgres', source);
  expect(add.code, add.err).toBe(0);
}, 300_000);

afterAll(async () => {
  if (!bed) return;
  await bed.manager.remove(bed.t.ids.production, true, bed.ctx()).catch(() => undefined);
  await removeQuietly(bed.t.lab.machines.production, 'container', source);
  await removeQuietly(bed.t.lab.machines.uat, 'container', target);
  for (const v of (await dockerCli(bed.t.lab.machines.uat, 'volume', 'ls', '-q').catch(() => '')).split('\n').filter((n) => n.includes(target))) await removeQuietly(bed.t.lab.machines.uat, 'volume', v);
  await bed.dispose();
});

const status = async () => {
  const r = await bed.cli('pitr', 'status', '--repo', bed.repoName, '--json');
  expect(r.code, r.err).toBe(0);
  return PitrStatus.parse(JSON.parse(r.out));
};

describe('point-in-time recovery through the agent', () => {
  let at: Date;

  it('pitr enable: the agent archives the container (slot, receiver, base backup)', async () => {
    const r = await bed.cli('pitr', 'enable', '--host', 'production', '--postgres', source, '--repo', bed.repoName, '--json');
    expect(r.code, r.err).toBe(0);
    const step = JSON.parse(r.out) as { result: string; cluster: string; baseId: string };
    expect(step.result).toBe('succeeded');
    expect(step.baseId).toBeTruthy();
    expect(step.cluster).toBe(await sql('production', source, 'SELECT system_identifier FROM pg_control_system()'));
    expect(await sql('production', source, "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pg_receivewal'")).toBe('1');
    const s = await status();
    expect(s.jobs.map((j) => j.container)).toEqual([source]);
    expect(s.jobs[0]!.last?.result).toBe('succeeded');
    expect(s.clusters.map((c) => [c.cluster, c.hostName, c.container, c.bases])).toEqual([[step.cluster, 'production', source, 1]]);
  }, 180_000);

  it('restore --as-of --set recovers to the time onto uat', async () => {
    await sql('production', source, "CREATE TABLE t (tag text, n int); INSERT INTO t SELECT 'before', g FROM generate_series(1, 100) g");
    await new Promise((r) => setTimeout(r, 1500));
    at = new Date();
    await new Promise((r) => setTimeout(r, 1500));
    // One statement: the switch runs before the commit, which lands in the next segment — a
    // segment completed after the time need not hold the first commit after it.
    await sql('production', source, "INSERT INTO t SELECT 'after', g FROM generate_series(1, 50) g; SELECT pg_switch_wal()");
    // The agent's scheduler takes a step a minute; one is taken now the way it does.
    await waitFor('the window to cover the time', async () => {
      await dockerCli(bed.t.lab.machines.production, 'exec', AGENT_CONTAINER, AGENT_COMMAND, 'pitr-step', '--json');
      return (await status()).clusters[0]!.windows.some((w) => w.from <= at.toISOString() && at.toISOString() <= w.to);
    }, 90_000);
    const r = await bed.cli('restore', '--as-of', at.toISOString(), '--set', set, '--repo', bed.repoName, '--to-host', 'uat', '--map', `${source}=${target}`);
    expect(r.code, `${r.err}\n${r.out}`).toBe(0);
    expect(r.out).toMatch(/Recovered: replay ended at .* kept in volume hindsight-safety-/);
    // Run by uat's agent, not relayed through this process.
    expect(r.err).toMatch(/Replaying WAL .*\(on uat's agent\)/);
    expect(await sql('uat', target, "SELECT count(*) FILTER (WHERE tag = 'before') || ' ' || count(*) FILTER (WHERE tag = 'after') FROM t")).toBe('100 0');
    expect(r.err).toMatch(/point-in-time recovery of cluster/);
    // An operation of the console: its journal followed the agent's stages, and the safety copy
    // was made by the agent's GNU tar (the image the journal names for a rollback).
    const journal = (await listJournals(bed.t.configDir)).find((j) => j.pointInTime)!;
    expect(journal).toMatchObject({ state: 'succeeded', targetHostName: 'uat' });
    expect(journal.history.map((h) => h.step)).toEqual(['preflight', 'recover', 'stop-users', 'safety-copy', 'restore', 'restart', 'verify']);
    const agentImage = await dockerCli(bed.t.lab.machines.uat, 'inspect', '--format', '{{.Image}}', AGENT_CONTAINER);
    expect(journal.targets[0]!.safetyCopyImage).toBe(agentImage);
  }, 300_000);

  it('a time before the window is not recovered: the snapshot as-of answers (none here), uat untouched', async () => {
    const r = await bed.cli('restore', '--as-of', new Date(at.getTime() - 3_600_000).toISOString(), '--set', set, '--repo', bed.repoName, '--to-host', 'uat', '--map', `${source}=${target}`);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/No snapshot at or before/);
    expect(await sql('uat', target, "SELECT count(*) FROM t WHERE tag = 'before'")).toBe('100');
  }, 60_000);

  it('pitr disable: the slot dropped, the archive kept', async () => {
    const r = await bed.cli('pitr', 'disable', '--host', 'production', '--postgres', source, '--repo', bed.repoName, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ slotDropped: true });
    expect(await sql('production', source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'hindsight_%'")).toBe('0');
    const s = await status();
    expect(s.jobs).toEqual([]);
    expect(s.clusters).toHaveLength(1);
  }, 120_000);
});
