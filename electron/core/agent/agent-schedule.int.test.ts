/**
 * The agent runs plans by itself. On uat: the console adds two plans with a one-minute schedule
 * (through the CLI, which then exits: no console process runs a plan) — one that works, one whose
 * volume does not exist — and a webhook receiver on the lab's hooks address hears success and
 * failure from inside the machine; the ping URLs get start/success and start/fail. The snapshot is
 * signed by agent@uat and trusted for uat. Then the agent container is killed in the middle of a
 * 512 MiB backup: no manifest appears, its open multipart upload is aborted when the agent is back,
 * and the next run succeeds.
 */
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanView } from '../../../shared/contract/plans.js';
import { listSnapshots, type RepositoryBackend } from '../repository/index.js';
import type { S3Backend } from '../repository/s3/s3-backend.js';
import { type LabRestore } from '../restore/testing/lab-restore.js';
import { readCheckedManifest, TrustedWriters } from '../signing/index.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { agentLines } from './agent-exec.js';
import { AGENT_CONTAINER } from './agent-image.js';
import { AgentManager } from './agent-manager.js';
import { agentTestBed, type AgentTestBed } from './testing/lab-agent.js';

let bed: AgentTestBed;
let t: LabRestore;
let hooks: AgentTestBed['hooks'];
let repoName: string;
let repo: RepositoryBackend;
let manager: AgentManager;
let cli: AgentTestBed['cli'];
const small = uniqueName('hs-agent-small');
const big = uniqueName('hs-agent-big');
/** Multipart uploads open under the repository's prefix (the lab's S3 lists them, lab/s3-server.mjs). */
const openUploadsOf = async (r: RepositoryBackend, prefix: string) =>
  (await (r as S3Backend).client.send(new ListMultipartUploadsCommand({ Bucket: 'hindsight-lab', Prefix: `${prefix}/` }))).Uploads ?? [];

beforeAll(async () => {
  bed = await agentTestBed('agent-sched');
  ({ t, hooks, repoName, repo, manager, cli } = bed);
  const uat = t.lab.machines.uat;
  await dockerCli(uat, 'volume', 'create', small);
  await inVolume(uat, small, 'echo hello > /v/a && mkdir /v/d && echo world > /v/d/b');
  await dockerCli(uat, 'volume', 'create', big);
  await inVolume(uat, big, 'dd if=/dev/urandom of=/v/big bs=1M count=512 2>/dev/null');
  expect((await manager.install(t.ids.uat, bed.ctx())).report?.daemon.alive).toBe(true);
}, 240_000);

afterAll(async () => {
  await bed?.dispose();
  for (const v of [small, big]) if (t) await removeQuietly(t.lab.machines.uat, 'volume', v);
});

describe('plans run by the agent', () => {
  it('a one-minute plan makes snapshots with no console; webhooks and pings hear success and failure', async () => {
    const add = (name: string, volume: string, tag: string) =>
      cli('plans', 'add', name, '--host', 'uat', '--repo', repoName, '--volume', volume, '--schedule', '* * * * *', '--tz', 'UTC', '--keep-last', '5', '--retries', '0', '--notify', `webhook:${hooks.url(`/hook-${tag}`)}`, '--notify', `ping:${hooks.url(`/ping-${tag}`)}`);
    expect((await add('agent-good', small, 'good')).code).toBe(0);
    expect((await add('agent-bad', uniqueName('no-such-volume'), 'bad')).code).toBe(0);
    // The CLI has exited: from here on only the agent on uat can run these plans.

    const hook = (tag: string) => hooks.received.find((r) => r.method === 'POST' && r.path === `/hook-${tag}`);
    await waitFor('both webhooks', () => !!hook('good') && !!hook('bad'), 150_000);
    expect(hook('good')!.body).toMatchObject({ event: 'hindsight.plan.run', plan: 'agent-good', host: 'uat', runner: 'agent@uat', trigger: 'schedule', result: 'succeeded', final: true, snapshotId: expect.any(String) });
    expect(hook('bad')!.body).toMatchObject({ plan: 'agent-bad', runner: 'agent@uat', result: 'failed', final: true, error: expect.stringMatching(/volume/i) });
    const gets = hooks.received.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(gets).toEqual(expect.arrayContaining(['/ping-good/start', '/ping-good', '/ping-bad/start', '/ping-bad/fail']));
    expect(gets).not.toContain('/ping-good/fail');

    // In the repository: the snapshot, signed by the agent's key and trusted for uat.
    const snapshotId = (hook('good')!.body as { snapshotId: string }).snapshotId;
    expect((await listSnapshots(repo)).map((s) => s.id)).toContain(snapshotId);
    const checked = await readCheckedManifest(repo, snapshotId, new TrustedWriters(t.configDir));
    expect(checked.trust).toMatchObject({ status: 'trusted', writer: 'agent@uat' });
    expect(checked.manifest.sourceHost.id).toBe(t.ids.uat);

    // Any console sees the runs: plans list reads the run records.
    await cli('plans', 'pause', 'agent-good');
    await cli('plans', 'pause', 'agent-bad');
    const list = JSON.parse((await cli('plans', 'list', '--json')).out) as PlanView[];
    const good = list.find((p) => p.name === 'agent-good')!;
    const bad = list.find((p) => p.name === 'agent-bad')!;
    expect(good.lastGoodBackup).toMatchObject({ runner: 'agent@uat', trigger: 'schedule', result: 'succeeded' });
    expect(bad.lastRun).toMatchObject({ kind: 'backup', result: 'failed', runner: 'agent@uat' });
    // Paused on the agent too.
    const status = await manager.status(t.ids.uat);
    expect(status.report?.plans.filter((p) => p.paused).map((p) => p.name).sort()).toEqual(['agent-bad', 'agent-good']);
  }, 200_000);

  it('the agent killed mid-backup: no manifest, it comes back, the next run succeeds', async () => {
    expect((await cli('plans', 'add', 'agent-big', '--host', 'uat', '--repo', repoName, '--volume', big, '--schedule', 'daily', '--tz', 'UTC')).code).toBe(0);
    const before = (await listSnapshots(repo)).filter((s) => s.set === 'agent-big');
    expect(before).toEqual([]);
    const engine = await t.engine(t.ids.uat);
    let progressed = 0;
    const killedRun = agentLines(engine, ['run', 'agent-big'], 'run agent-big', (line) => {
      const l = line as { type: string; fraction?: number | null };
      if (l.type === 'progress' && (l.fraction ?? 0) > 0.05) progressed++;
    });
    const outcome = killedRun.then(
      () => 'finished',
      () => 'failed',
    );
    await waitFor('the backup to be under way', () => progressed > 0, 60_000);
    await waitFor('its multipart upload to start', async () => (await openUploadsOf(repo, repoName)).length > 0, 30_000);
    const startedAt = JSON.parse(await dockerCli(t.lab.machines.uat, 'inspect', AGENT_CONTAINER))[0].State.StartedAt as string;
    // The volume is read by GNU tar in a helper, through a pipe (sources/pipe-tar.ts).
    const pipeHelpers = () => dockerCli(t.lab.machines.uat, 'ps', '-aq', '--filter', 'label=org.hindsight.helper.pipe=true');
    expect(await pipeHelpers()).not.toBe('');
    await dockerCli(t.lab.machines.uat, 'kill', AGENT_CONTAINER);
    expect(await outcome).toBe('failed');
    expect((await openUploadsOf(repo, repoName)).length).toBeGreaterThan(0);
    expect((await listSnapshots(repo)).filter((s) => s.set === 'agent-big')).toEqual([]);

    // The restart policy brings it back (or, if this engine treats kill as a stop, a start does).
    await new Promise((r) => setTimeout(r, 3_000));
    const state = JSON.parse(await dockerCli(t.lab.machines.uat, 'inspect', AGENT_CONTAINER))[0].State as { Running: boolean; StartedAt: string };
    if (!state.Running) await dockerCli(t.lab.machines.uat, 'start', AGENT_CONTAINER);
    else expect(state.StartedAt).not.toBe(startedAt);
    await waitFor('the agent to answer again', async () => (await manager.status(t.ids.uat)).report?.daemon.alive === true, 30_000);
    // The kill left its multipart upload open; the restarted agent aborted it from its upload
    // journal before it said it was up.
    expect(await openUploadsOf(repo, repoName)).toEqual([]);
    // …and the helper whose reader died with it is gone (it ends, and removes itself; or the restarted agent removed it).
    await waitFor('the helper to be gone', async () => (await pipeHelpers()) === '', 15_000);

    let result: { snapshotId?: string } = {};
    await agentLines(engine, ['run', 'agent-big'], 'run agent-big', (line) => {
      const l = line as { type: string; result?: { snapshotId: string } };
      if (l.type === 'done') result = l.result!;
    });
    expect(result.snapshotId).toMatch(/agent-big/);
    const after = (await listSnapshots(repo)).filter((s) => s.set === 'agent-big');
    expect(after.map((s) => s.id)).toEqual([result.snapshotId]);
    expect((await readCheckedManifest(repo, result.snapshotId!, new TrustedWriters(t.configDir))).trust.status).toBe('trusted');
  }, 240_000);
});
