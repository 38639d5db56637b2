/**
 * A plan to an SFTP repository (the lab's annex) run by uat's agent: the console sends the agent
 * the key itself and the annex's pinned host key (the console's keyPath means nothing on the host,
 * and the agent verifies host keys like the console); Run now goes to the agent, whose run record
 * and snapshot land on the annex. A backup and a restore clicked in the console (the CLI) of uat
 * go the direct way too: through a counting relay, only requests cross the console's tunnel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanView } from '../../../shared/contract/plans.js';
import { RepositoryInput } from '../../../shared/contract/repositories.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { TcpRelay } from '../testing/tcp-relay.js';
import { agentTestBed, type AgentTestBed } from './testing/lab-agent.js';

let bed: AgentTestBed;
const vol = uniqueName('hs-agent-sftp');
const annexName = uniqueName('agent-annex');
const big = uniqueName('hs-agent-sftp-big');
const bigCopy = uniqueName('hs-agent-sftp-copy');
const MiB = 1 << 20;
let relay: TcpRelay;

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
  relay?.close();
  if (bed) for (const v of [vol, big, bigCopy]) await removeQuietly(bed.t.lab.machines.uat, 'volume', v);
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

  it('a backup and a restore clicked in the console move their data between uat and the annex directly', async () => {
    const { t, cli } = bed;
    const uat = t.lab.machines.uat;
    relay = new TcpRelay(uat.address, uat.port);
    await t.addUatVia('uat-relayed', await relay.listen());
    await dockerCli(uat, 'volume', 'create', big);
    await inVolume(uat, big, 'head -c 8000000 /dev/urandom > /v/big && echo small > /v/small');
    const down = relay.downBytes;
    const backup = await cli('backup', '--host', 'uat-relayed', '--repo', annexName, '--volume', big, '--set', 'clicked', '--json');
    expect(backup.code, backup.err || backup.out).toBe(0);
    expect(relay.downBytes - down).toBeLessThan(2 * MiB);
    const r = JSON.parse(backup.out) as { snapshotId: string; sources: { name: string }[] };
    const up = relay.upBytes;
    const restore = await cli('restore', r.snapshotId, '--repo', annexName, '--to-host', 'uat-relayed', '--map', `${r.sources[0]!.name}=${bigCopy}`, '--json');
    expect(restore.code, restore.err || restore.out).toBe(0);
    expect(relay.upBytes - up).toBeLessThan(2 * MiB);
    const md5 = (v: string) => inVolume(uat, v, 'cd /v && find . -type f -exec md5sum {} + | sort -k2');
    expect(await md5(bigCopy)).toBe(await md5(big));
  }, 240_000);
});
