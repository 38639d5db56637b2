/**
 * A plan to an SFTP repository (the lab's annex) run by uat's agent: the console sends the agent
 * the key itself and the annex's pinned host key (the console's keyPath means nothing on the host,
 * and the agent verifies host keys like the console); Run now goes to the agent, whose run record
 * and snapshot land on the annex.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanView } from '../../../shared/contract/plans.js';
import { RepositoryInput } from '../../../shared/contract/repositories.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { agentTestBed, type AgentTestBed } from './testing/lab-agent.js';

let bed: AgentTestBed;
const vol = uniqueName('hs-agent-sftp');
const annexName = uniqueName('agent-annex');

beforeAll(async () => {
  bed = await agentTestBed('agent-sftp-s3');
  const { t, cli } = bed;
  const annex = t.lab.annex!;
  await t.repositories.add(RepositoryInput.parse({ name: annexName, kind: 'sftp', address: annex.address, port: annex.port, user: annex.user, auth: { type: 'key', keyPath: annex.keyPath }, path: `${annex.repoPath}/${annexName}` }));
  const init = await cli('repo', 'init', annexName);
  expect(init.code, init.err).toBe(0);
  await dockerCli(t.lab.machines.uat, 'volume', 'create', vol);
  await inVolume(t.lab.machines.uat, vol, 'echo over-sftp > /v/f');
  expect((await cli('plans', 'add', 'to-annex', '--host', 'uat', '--repo', annexName, '--volume', vol, '--schedule', 'daily', '--tz', 'UTC')).code).toBe(0);
}, 240_000);

afterAll(async () => {
  if (bed) await removeQuietly(bed.t.lab.machines.uat, 'volume', vol);
  await bed?.dispose();
});

describe('an SFTP repository for the agent', () => {
  it('the agent gets the plan, runs it to the annex, and says so in the run record', async () => {
    const status = await bed.manager.install(bed.t.ids.uat, bed.ctx());
    expect(status.report?.plans.map((p) => p.name)).toEqual(['to-annex']);
    const run = await bed.cli('plans', 'run', 'to-annex', '--json');
    expect(run.code, run.err).toBe(0);
    const { snapshotId } = JSON.parse(run.out) as { snapshotId: string };
    const list = JSON.parse((await bed.cli('plans', 'list', '--json')).out) as PlanView[];
    expect(list.find((p) => p.name === 'to-annex')?.lastGoodBackup).toMatchObject({ runner: 'agent@uat', trigger: 'manual', snapshotId });
    // On the annex's own disk.
    const { readdir } = await import('node:fs/promises');
    const day = snapshotId.slice(0, 4) + '/' + snapshotId.slice(4, 6) + '/' + snapshotId.slice(6, 8);
    expect(await readdir(`${bed.t.lab.annex!.hostRepoPath}/${annexName}/snapshots/${day}`)).toContain(`${snapshotId}.json`);
  }, 180_000);
});
