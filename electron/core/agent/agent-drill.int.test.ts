/**
 * Restore drills run by an agent: production's plan is backed up (production has no agent: through
 * the console), and its drill runs on uat's agent — the throwaway verify on uat — which records the
 * result next to the snapshot (plans list then shows it as the newest verified). A byte flipped in
 * one of the snapshot's objects in S3 makes the next drill fail loudly: the run fails with the
 * reason, a "drill" run record says failed, and the webhook hears the failure.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanRun, type PlanView } from '../../../shared/contract/plans.js';
import { listKeys, readJsonObject, type RepositoryBackend } from '../repository/index.js';
import { type LabRestore } from '../restore/testing/lab-restore.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { agentLines } from './agent-exec.js';
import { AgentManager } from './agent-manager.js';
import { agentTestBed, type AgentTestBed } from './testing/lab-agent.js';

let bed: AgentTestBed;
let t: LabRestore;
let hooks: AgentTestBed['hooks'];
let repo: RepositoryBackend;
let repoName: string;
let manager: AgentManager;
let cli: AgentTestBed['cli'];
let snapshotId: string;
const src = uniqueName('hs-drill-src');
const plan = uniqueName('drilled');
const drillOnUat = async () => {
  let result: { snapshotId: string } | undefined;
  await agentLines(await t.engine(t.ids.uat), ['run', plan, '--drill'], `drill ${plan}`, (line) => {
    const l = line as { type: string; result?: { snapshotId: string } };
    if (l.type === 'done') result = l.result;
  });
  return result;
};
const drillRecords = async () => {
  const keys = (await listKeys(repo, `runs/${plan}/`)).filter((k) => k.includes('-drill-'));
  return Promise.all(keys.map((k) => readJsonObject(repo, k, PlanRun)));
};

beforeAll(async () => {
  bed = await agentTestBed('agent-drill');
  ({ t, hooks, repoName, repo, manager, cli } = bed);
  await dockerCli(t.lab.machines.production, 'volume', 'create', src);
  await inVolume(t.lab.machines.production, src, 'for i in 1 2 3; do head -c 300000 /dev/urandom > /v/f$i; done; echo hi > /v/note');
  const add = await cli('plans', 'add', plan, '--host', 'production', '--repo', repoName, '--volume', src, '--schedule', 'daily', '--tz', 'UTC', '--drill', '0 5 * * *', '--drill-host', 'uat', '--retries', '0', '--notify', `webhook:${hooks.url('/drill')}`);
  expect(add.code, add.err).toBe(0);
  const status = await manager.install(t.ids.uat, bed.ctx());
  // uat's agent got the plan for its drill only (the plan's backups are production's).
  expect(status.report?.plans.map((p) => [p.name, p.kind])).toEqual([[`${plan} (drill)`, 'drill']]);
  const run = await cli('plans', 'run', plan, '--json');
  expect(run.code, run.err).toBe(0);
  snapshotId = (JSON.parse(run.out) as { snapshotId: string }).snapshotId;
}, 240_000);

afterAll(async () => {
  await bed?.dispose();
  if (t) await removeQuietly(t.lab.machines.production, 'volume', src);
});

describe('restore drills on an agent', () => {
  it("uat's agent verifies production's newest snapshot; the result lands next to it", async () => {
    expect(await drillOnUat()).toEqual({ snapshotId, deleted: [] });
    const list = JSON.parse((await cli('plans', 'list', '--json')).out) as PlanView[];
    expect(list.find((p) => p.name === plan)).toMatchObject({ newestVerified: snapshotId, lastRun: { kind: 'drill', result: 'succeeded', runner: 'agent@uat', hostId: t.ids.uat } });
    expect((await listKeys(repo, `verify/${snapshotId}/`)).length).toBeGreaterThan(0);
  }, 180_000);

  it('a corrupted object fails the drill loudly: the error, a failed drill record, the webhook', async () => {
    const dataKey = (await listKeys(repo, `data/${snapshotId}/`)).find((k) => !k.endsWith('.json'))!;
    expect(dataKey).toBeDefined();
    const chunks: Buffer[] = [];
    for await (const c of await repo.getObject(dataKey)) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const at = Math.floor(body.length / 2);
    body[at] = body[at]! ^ 0xff;
    await repo.putObject(dataKey, Readable.from([body]));

    await expect(drillOnUat()).rejects.toThrow(/did not verify|corrupt|checksum|sha-?256|mismatch/i);
    const records = await drillRecords();
    expect(records.some((r) => r.result === 'failed' && r.snapshotId === snapshotId && /verify|corrupt|checksum|mismatch/i.test(r.error ?? ''))).toBe(true);
    await waitFor('the failure webhook', () => hooks.received.some((r) => r.path === '/drill' && (r.body as { result?: string }).result === 'failed'), 10_000);
    const failure = hooks.received.find((r) => r.path === '/drill' && (r.body as { result?: string }).result === 'failed')!;
    expect(failure.body).toMatchObject({ plan: `${plan} (restore drill)`, host: 'uat', runner: 'agent@uat', final: true });
  }, 180_000);
});
