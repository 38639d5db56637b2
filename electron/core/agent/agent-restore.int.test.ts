/**
 * The direct data path of a console's restore and backup: the same `hindsight restore` onto uat and
 * `hindsight backup` of uat, once without an agent (the data crosses the console's SSH tunnel) and
 * once with uat's agent (it streams between S3 and the volume itself), the tunnel going through a
 * counting relay. The restored volumes are production's, byte for byte, both times; with the agent
 * only requests cross the tunnel. Everything else stays the console's: plan, journal, verify,
 * audit; the backup's lock and signed manifest.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inVolume, POSTGRES, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { listKeys } from '../repository/index.js';
import { listJournals } from '../restore/journal.js';
import { runRestore } from '../restore/runner.js';
import { sweepSafetyCopies } from '../restore/safety-sweep.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { TrustedWriters } from '../signing/index.js';
import { agentSendLines, startAgentSendLines } from './agent-exec.js';
import { AGENT_CONTAINER, AGENT_RESTORE_AHEAD_LABEL, AGENT_STATE_DIR } from './agent-names.js';
import { TcpRelay } from '../testing/tcp-relay.js';
import { agentTestBed, type AgentTestBed } from './testing/lab-agent.js';

let bed: AgentTestBed;
let relay: TcpRelay;
let snapshotId: string;
let sourceName: string;
const src = uniqueName('hs-direct-src');
const targets = [uniqueName('hs-direct-relay'), uniqueName('hs-direct-agent')];
const uniqueTarget = uniqueName('hs-direct-roundtrip');
const stopped = uniqueName('hs-direct-stopped');
const stoppedCopy = uniqueName('hs-direct-stopped-copy');
const user = uniqueName('hs-direct-user');
const over = uniqueName('hs-direct-over');
const pg = uniqueName('hs-direct-pg');
const app = uniqueName('hs-direct-dir');
const untrusted = uniqueName('hs-direct-untrusted');
const ahead = uniqueName('hs-direct-ahead');
const aheadNew = uniqueName('hs-direct-ahead-new');
const aheadFresh = uniqueName('hs-direct-ahead-fresh');
const goneSrc = uniqueName('hs-direct-gone-src');
const goneTarget = uniqueName('hs-direct-gone');
const MiB = 1 << 20;
const listing = (machine: Parameters<typeof inVolume>[0], v: string) => inVolume(machine, v, 'cd /v && find . -type f -exec md5sum {} + | sort -k2');

beforeAll(async () => {
  bed = await agentTestBed('agent-restore');
  const { t, cli, repoName } = bed;
  relay = new TcpRelay(t.lab.machines.uat.address, t.lab.machines.uat.port);
  await t.addUatVia('uat-relayed', await relay.listen());
  await dockerCli(t.lab.machines.production, 'volume', 'create', src);
  await inVolume(t.lab.machines.production, src, 'head -c 24000000 /dev/urandom > /v/big && mkdir /v/d && echo hello > /v/d/small');
  const backup = await cli('backup', '--host', 'production', '--repo', repoName, '--volume', src, '--set', 'direct', '--json');
  expect(backup.code, backup.err).toBe(0);
  const r = JSON.parse(backup.out) as { snapshotId: string; sources: { name: string }[] };
  snapshotId = r.snapshotId;
  sourceName = r.sources[0]!.name;
}, 240_000);

afterAll(async () => {
  relay?.close();
  if (bed) for (const c of [user, pg, app]) await removeQuietly(bed.t.lab.machines.uat, 'container', c);
  if (bed) for (const v of [...targets, uniqueTarget, stopped, stoppedCopy, over, untrusted, ahead, aheadNew, aheadFresh, goneTarget]) await removeQuietly(bed.t.lab.machines.uat, 'volume', v);
  if (bed) for (const v of await safetyVolumes()) await removeQuietly(bed.t.lab.machines.uat, 'volume', v);
  if (bed) for (const v of [src, goneSrc]) await removeQuietly(bed.t.lab.machines.production, 'volume', v);
  await bed?.dispose();
});

/** The safety copies kept on uat (of one operation, or all). */
async function safetyVolumes(opId?: string): Promise<string[]> {
  const out = await dockerCli(bed.t.lab.machines.uat, 'volume', 'ls', '-q', '--filter', `label=org.hindsight.safety-copy${opId ? `=${opId}` : ''}`);
  return out.split('\n').filter(Boolean);
}

describe('restore onto a host with an agent', () => {
  const backup = async (volume: string) => {
    const before = relay.downBytes;
    const r = await bed.cli('backup', '--host', 'uat-relayed', '--repo', bed.repoName, '--volume', volume, '--set', 'from-uat', '--json');
    expect(r.code, r.err || r.out).toBe(0);
    return { receivedFromUat: relay.downBytes - before, result: JSON.parse(r.out) as { snapshotId: string; rawBytes: number; sources: { name: string; fileCount?: number }[] } };
  };
  const restore = async (target: string, snap = snapshotId, source = sourceName) => {
    const before = relay.upBytes;
    const r = await bed.cli('restore', snap, '--repo', bed.repoName, '--to-host', 'uat-relayed', '--map', `${source}=${target}`, '--json');
    expect(r.code, r.err || r.out).toBe(0);
    return { sentToUat: relay.upBytes - before, out: r.out };
  };

  it('without an agent, the data crosses the console; with one, only the request does — same bytes restored', async () => {
    const { t } = bed;
    const want = await listing(t.lab.machines.production, src);

    const viaConsole = await restore(targets[0]!);
    expect(viaConsole.sentToUat).toBeGreaterThan(20 * MiB);
    expect(await listing(t.lab.machines.uat, targets[0]!)).toBe(want);
    const backupViaConsole = await backup(targets[0]!);
    expect(backupViaConsole.receivedFromUat).toBeGreaterThan(20 * MiB);

    await bed.manager.install(t.ids.uat, bed.ctx());
    const direct = await restore(targets[1]!);
    expect(direct.sentToUat).toBeLessThan(2 * MiB);
    expect(await listing(t.lab.machines.uat, targets[1]!)).toBe(want);
    // Still the console's restore: its operation, verified, in the console's log.
    const op = JSON.parse(direct.out) as { operationId: string; verification?: { ok: boolean }[] };
    expect(op.operationId).toBeTruthy();
    const log = await fs.readFile(path.join(t.configDir, 'operations', `${op.operationId}.log.jsonl`), 'utf8');
    expect(log).toMatch(/directly, by the agent on uat-relayed/);
    expect(log).toMatch(/Verified/);

    // A backup clicked in the console: the agent copies, the console writes the signed manifest.
    const directBackup = await backup(targets[1]!);
    expect(directBackup.receivedFromUat).toBeLessThan(2 * MiB);
    // The agent's GNU tar frames the archive a little differently (pax headers, 10 KiB records)
    // from the engine's archive endpoint: the same files, within a few KiB.
    expect(directBackup.result.sources[0]?.fileCount).toBe(backupViaConsole.result.sources[0]?.fileCount);
    expect(Math.abs(directBackup.result.rawBytes - backupViaConsole.result.rawBytes)).toBeLessThan(64 * 1024);
    const back = await restore(uniqueTarget, directBackup.result.snapshotId, directBackup.result.sources[0]!.name);
    expect(await listing(t.lab.machines.uat, uniqueTarget)).toBe(want);
    expect(back.sentToUat).toBeLessThan(2 * MiB);
  }, 300_000);

  it('the agent checks the snapshot against the writers the console sends with the request, not against its last push', async () => {
    const { t } = bed;
    const uat = t.lab.machines.uat;
    const engine = await t.engine(t.ids.uat);
    const repository = { config: await t.repositories.stored(bed.repositoryId), secrets: await t.repositories.secrets(bed.repositoryId) };
    const request = { repository, snapshotId, source: sourceName, target: untrusted };
    // The install pushed this console's key to the agent; a request that trusts no one but the
    // agent itself is still refused (this console signed the snapshot), before anything is made.
    await expect(agentSendLines(engine, ['restore-source'], { ...request, trusted: [] }, 'restore-source')).rejects.toMatchObject({ code: 'UNTRUSTED' });
    expect(await dockerCli(uat, 'volume', 'ls', '-q', '--filter', `name=^${untrusted}$`)).toBe('');
    // The same request with this console's writers restores it.
    await agentSendLines(engine, ['restore-source'], { ...request, trusted: await new TrustedWriters(t.configDir).list() }, 'restore-source');
    expect(await listing(uat, untrusted)).toBe(await listing(t.lab.machines.production, src));
  }, 120_000);

  it('the agent’s CLI started ahead of its request (a restore starts it before its pre-flight) waits for it; one never sent ends', async () => {
    const { t } = bed;
    const uat = t.lab.machines.uat;
    const engine = await t.engine(t.ids.uat);
    const waiting = async () => (await dockerCli(uat, 'top', AGENT_CONTAINER, '-eo', 'pid,args')).split('\n').filter((l) => l.includes('restore-source')).length;
    // Never sent (the restore stopped before its restore step): it ends, and makes nothing.
    const unused = startAgentSendLines(engine, ['restore-source'], 'restore-source');
    await waitFor('the started CLI to run', async () => (await waiting()) === 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await waiting()).toBe(1); // still waiting for its request
    unused.cancel();
    await waitFor('the unused CLI to end', async () => (await waiting()) === 0);
    // Sent after a pause: it restores, as one sent at once does.
    const started = startAgentSendLines(engine, ['restore-source'], 'restore-source');
    await new Promise((r) => setTimeout(r, 1500));
    const repository = { config: await t.repositories.stored(bed.repositoryId), secrets: await t.repositories.secrets(bed.repositoryId) };
    await started.send({ repository, snapshotId, source: sourceName, target: ahead, trusted: await new TrustedWriters(t.configDir).list() });
    expect(await listing(uat, ahead)).toBe(await listing(t.lab.machines.production, src));
    expect(() => started.send({})).toThrow(/twice/);
  }, 120_000);

  it('a request sent ahead: the agent gets ready and waits, changes nothing when called off, restores on the word to begin', async () => {
    const { t } = bed;
    const uat = t.lab.machines.uat;
    const engine = await t.engine(t.ids.uat);
    const waiting = async () => (await dockerCli(uat, 'top', AGENT_CONTAINER, '-eo', 'pid,args')).split('\n').filter((l) => l.includes('restore-source')).length;
    const helpersOn = async (volume: string, status?: string) =>
      (await dockerCli(uat, 'ps', '-aq', '--filter', `label=org.hindsight.helper.volume=${volume}`, ...(status ? ['--filter', `status=${status}`] : []))).split('\n').filter(Boolean).length;
    const repository = { config: await t.repositories.stored(bed.repositoryId), secrets: await t.repositories.secrets(bed.repositoryId) };
    // With the source's kind, as the console sends it: the sink is made while the manifest is checked.
    const request = { repository, snapshotId, source: sourceName, target: ahead, trusted: await new TrustedWriters(t.configDir).list(), prepareAs: 'volume' as const };
    // The image says so ("2": it also says the data root's free space); the console sends a request ahead only to an agent that does (agent-names.ts).
    expect((JSON.parse(await dockerCli(uat, 'inspect', AGENT_CONTAINER)) as { Config: { Labels: Record<string, string> } }[])[0]!.Config.Labels[AGENT_RESTORE_AHEAD_LABEL]).toBe('2');
    await dockerCli(uat, 'volume', 'create', ahead);
    await inVolume(uat, ahead, 'echo before > /v/kept');
    const before = await listing(uat, ahead);
    // Called off (the console's pre-flight refused): the manifest was read and the data asked for, the volume untouched.
    const unused = startAgentSendLines(engine, ['restore-source'], 'restore-source', undefined, request);
    await waitFor('the CLI to get ready', async () => (await waiting()) === 1);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await waiting()).toBe(1); // ready, waiting for the word
    // Its helper started already, held at its gate: the volume as it was.
    expect(await helpersOn(ahead, 'running')).toBe(1);
    expect(await listing(uat, ahead)).toBe(before);
    unused.cancel();
    await waitFor('the called-off CLI to end', async () => (await waiting()) === 0);
    expect(await listing(uat, ahead)).toBe(before);
    await waitFor('its helper to go', async () => (await helpersOn(ahead)) === 0);
    // Into a volume that does not exist: made ready (the volume made, the helper started), then
    // called off — the volume is removed again.
    const fresh = startAgentSendLines(engine, ['restore-source'], 'restore-source', undefined, { ...request, target: aheadNew });
    await waitFor('the helper on the new volume', async () => (await helpersOn(aheadNew, 'running')) === 1);
    fresh.cancel();
    await waitFor('the new volume to be removed again', async () => (await dockerCli(uat, 'volume', 'ls', '-q', '--filter', `name=^${aheadNew}$`)) === '');
    expect(await helpersOn(aheadNew)).toBe(0);
    // A sink made early for a source the manifest does not have: dropped, its new volume removed.
    const wrong = startAgentSendLines(engine, ['restore-source'], 'restore-source', undefined, { ...request, source: 'no-such-source', target: aheadNew });
    await expect(wrong.go()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await waitFor('the volume made for it to be removed', async () => (await dockerCli(uat, 'volume', 'ls', '-q', '--filter', `name=^${aheadNew}$`)) === '');
    await waitFor('its helper to go', async () => (await helpersOn(aheadNew)) === 0);
    // Begun after a pause: it restores, as a request sent at once does; one word only.
    const started = startAgentSendLines(engine, ['restore-source'], 'restore-source', undefined, request);
    await new Promise((r) => setTimeout(r, 1500));
    expect(() => started.send(request)).toThrow(/given ahead/);
    await started.go();
    expect(await listing(uat, ahead)).toBe(await listing(t.lab.machines.production, src));
    expect(() => started.go()).toThrow(/twice/);
  }, 120_000);

  it('a request sent ahead whose data is gone meanwhile: the word to begin gets the error, the target keeps its files', async () => {
    const { t, cli, repoName } = bed;
    const uat = t.lab.machines.uat;
    const engine = await t.engine(t.ids.uat);
    await dockerCli(t.lab.machines.production, 'volume', 'create', goneSrc);
    // Over two of the reader's 8 MiB parts: read as ranged GETs, asked for while the agent waits.
    await inVolume(t.lab.machines.production, goneSrc, 'head -c 20000000 /dev/urandom > /v/big');
    const b = await cli('backup', '--host', 'production', '--repo', repoName, '--volume', goneSrc, '--set', 'gone', '--json');
    expect(b.code, b.err).toBe(0);
    const snap = JSON.parse(b.out) as { snapshotId: string; sources: { name: string; objectKey: string }[] };
    await dockerCli(uat, 'volume', 'create', goneTarget);
    await inVolume(uat, goneTarget, 'echo kept > /v/kept');
    const before = await listing(uat, goneTarget);
    await bed.repo.deleteObject(snap.sources[0]!.objectKey);
    const repository = { config: await t.repositories.stored(bed.repositoryId), secrets: await t.repositories.secrets(bed.repositoryId) };
    const started = startAgentSendLines(engine, ['restore-source'], 'restore-source', undefined, { repository, snapshotId: snap.snapshotId, source: snap.sources[0]!.name, target: goneTarget, trusted: await new TrustedWriters(t.configDir).list() });
    await new Promise((r) => setTimeout(r, 2000));
    await expect(started.go()).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(snap.sources[0]!.objectKey) });
    expect(await listing(uat, goneTarget)).toBe(before);
    await waitFor('its helper to go', async () => (await dockerCli(uat, 'ps', '-aq', '--filter', `label=org.hindsight.helper.volume=${goneTarget}`)) === '');
  }, 120_000);

  it('a restore that fails at its pre-flight ends the agent CLI it started for the first source; one that gets there uses it', async () => {
    const { t } = bed;
    const uat = t.lab.machines.uat;
    const waiting = async () => (await dockerCli(uat, 'top', AGENT_CONTAINER, '-eo', 'pid,args')).split('\n').filter((l) => l.includes('restore-source')).length;
    const agentDeps = {
      ...t.deps,
      direct: (h: string, req: Parameters<typeof bed.manager.restoreSource>[1], sig: AbortSignal | undefined, p: Parameters<typeof bed.manager.restoreSource>[3]) => bed.manager.restoreSource(h, req, sig, p),
      directStart: (h: string, req: Parameters<typeof bed.manager.restoreSource>[1], sig: AbortSignal | undefined) => bed.manager.startRestoreSource(h, req, sig),
    };
    const input = { repositoryId: bed.repositoryId, snapshotId, targetHostId: t.ids.uat, map: { [sourceName]: ahead }, safetyCopy: false, note: 'test' };
    // The started CLI got the request and made itself ready; the refused run leaves the target as it was.
    await inVolume(uat, ahead, 'echo marker > /v/marker');
    const before = await listing(uat, ahead);
    let seen = -1;
    const failed = await runRestore(
      {
        ...agentDeps,
        beforeStep: async (step: string) => {
          if (step !== 'preflight') return;
          await waitFor('the CLI started ahead', async () => (seen = await waiting()) === 1);
          throw new Error('fault at the pre-flight');
        },
      },
      input,
    ).catch((e: unknown) => e);
    expect((failed as Error).message).toContain('fault at the pre-flight');
    expect(seen).toBe(1);
    await waitFor('the unused CLI to end', async () => (await waiting()) === 0);
    expect(await listing(uat, ahead)).toBe(before);
    // Without the fault: the started CLI is the one that restores (no second one is started).
    let started = 0;
    const r = await runRestore({ ...agentDeps, directStart: (...a: Parameters<typeof agentDeps.directStart>) => (started++, agentDeps.directStart(...a)), direct: () => Promise.reject(new Error('not the started one')) }, { ...input, map: { [sourceName]: ahead } });
    expect(r.verification.every((v) => v.ok)).toBe(true);
    expect(started).toBe(1);
    expect(await listing(uat, ahead)).toBe(await listing(t.lab.machines.production, src));
    // Into a new volume: the data root's free space is the agent's figure (no probe container),
    // and it is the data root's — what df says through a volume there.
    const logs: string[] = [];
    const fresh = await runRestore(agentDeps, { ...input, map: { [sourceName]: aheadFresh } }, { signal: new AbortController().signal, report: (e) => void (e.type === 'log' && logs.push(e.message)) });
    expect(fresh.verification.every((v) => v.ok)).toBe(true);
    const said = logs.find((m) => m.includes("Docker data root (measured by its agent)"));
    expect(said, logs.join('\n')).toBeDefined();
    const [, n, unit] = /([\d.]+) (KiB|MiB|GiB|TiB) free on/.exec(said!) ?? [];
    const agentGiB = Number(n) * { KiB: 2 ** -20, MiB: 2 ** -10, GiB: 1, TiB: 2 ** 10 }[unit as 'GiB'];
    const dfGiB = Number((await inVolume(uat, ahead, 'df -Pk /v | tail -n 1')).trim().split(/\s+/)[3]) / (1 << 20);
    expect(Math.abs(agentGiB - dfGiB)).toBeLessThan(2);
  }, 120_000);

  it('a backup that stops the volume’s users and encrypts: still copied by the agent, containers back, restorable', async () => {
    const { t, cli, repoName } = bed;
    const uat = t.lab.machines.uat;
    await dockerCli(uat, 'volume', 'create', stopped);
    await inVolume(uat, stopped, 'head -c 6000000 /dev/urandom > /v/db.bin && echo row > /v/table');
    await dockerCli(uat, 'run', '-d', '--name', user, '--network', 'none', '-v', `${stopped}:/data`, 'hindsight-lab/busybox:latest', 'sleep', '3600');
    const startedBefore = JSON.parse(await dockerCli(uat, 'inspect', user))[0].State.StartedAt as string;
    process.env.HINDSIGHT_BACKUP_PASSPHRASE = 'correct horse battery staple';
    process.env.HINDSIGHT_AGE_PASSPHRASE = 'correct horse battery staple';
    try {
      expect((await cli('sets', 'add', 'enc-stop', '--host', 'uat-relayed', '--repo', repoName, '--volume', stopped, '--stop-containers', '--passphrase')).code).toBe(0);
      const before = relay.downBytes;
      const r = await cli('backup', 'enc-stop', '--json');
      expect(r.code, r.err || r.out).toBe(0);
      expect(relay.downBytes - before).toBeLessThan(2 * MiB);
      const result = JSON.parse(r.out) as { snapshotId: string; sources: { name: string; objectKey: string }[] };
      // Encrypted by the agent: the stored object is an age file.
      expect(result.sources[0]!.objectKey).toMatch(/\.age$/);
      const head: Buffer[] = [];
      for await (const c of await bed.repo.getObject(result.sources[0]!.objectKey, { range: { start: 0, end: 20 } })) head.push(c as Buffer);
      expect(Buffer.concat(head).toString('latin1')).toMatch(/^age-encryption\.org\/v1/);
      // Its user was stopped for the copy and started again.
      const state = JSON.parse(await dockerCli(uat, 'inspect', user))[0].State as { Running: boolean; StartedAt: string };
      expect(state.Running).toBe(true);
      expect(state.StartedAt).not.toBe(startedBefore);
      // And it restores, decrypted, byte for byte.
      const back = await restore(stoppedCopy, result.snapshotId, result.sources[0]!.name);
      expect(back.sentToUat).toBeLessThan(2 * MiB);
      expect(await listing(uat, stoppedCopy)).toBe(await listing(uat, stopped));
    } finally {
      delete process.env.HINDSIGHT_BACKUP_PASSPHRASE;
      delete process.env.HINDSIGHT_AGE_PASSPHRASE;
    }
  }, 300_000);

  it('over an existing volume: the safety copy is kept on uat, never crosses the tunnel; a failed restore is put back from it', async () => {
    const { t, cli, repoName } = bed;
    const uat = t.lab.machines.uat;
    await bed.manager.install(t.ids.uat, bed.ctx());
    await dockerCli(uat, 'volume', 'create', over);
    await inVolume(uat, over, 'head -c 16000000 /dev/urandom > /v/old.bin && mkdir /v/keep && echo before > /v/keep/note && ln -s keep/note /v/link && chown -R 1234:5678 /v/keep && chmod 0750 /v/keep');
    const state = () => inVolume(uat, over, 'cd /v && find . -exec stat -c "%n %u:%g %a %F %s" {} + | sort && find . -type f -exec md5sum {} + | sort -k2');
    const before = await state();

    // A snapshot whose object is corrupted: the restore fails after it began writing the target.
    const bad = await cli('backup', '--host', 'production', '--repo', repoName, '--volume', src, '--set', 'corrupted', '--json');
    expect(bad.code, bad.err).toBe(0);
    const badSnapshot = (JSON.parse(bad.out) as { snapshotId: string }).snapshotId;
    const dataKey = (await listKeys(bed.repo, `data/${badSnapshot}/`)).find((k) => !k.endsWith('.json'))!;
    const chunks: Buffer[] = [];
    for await (const c of await bed.repo.getObject(dataKey)) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    body[body.length >> 1] = body[body.length >> 1]! ^ 0xff;
    await bed.repo.putObject(dataKey, Readable.from([body]));

    const down = relay.downBytes;
    const failed = await cli('restore', badSnapshot, '--repo', repoName, '--to-host', 'uat-relayed', '--map', `${sourceName}=${over}`, '--json');
    expect(failed.code).not.toBe(0);
    expect(failed.err + failed.out).toMatch(/rolled back/);
    // The copy was made and put back on uat: its 16 MB never came to the console.
    expect(relay.downBytes - down).toBeLessThan(2 * MiB);
    expect(await state()).toBe(before);
    const journal = (await listJournals(t.configDir)).find((j) => j.snapshotId === badSnapshot)!;
    expect(journal.state).toBe('rolled-back');
    const copy = journal.targets[0]!.safetyCopy!;
    expect(copy).toMatch(/^volume:hindsight-safety-/);
    // Kept after a failure (for the retention), labelled with its operation.
    expect(await safetyVolumes(journal.id)).toEqual([copy.slice('volume:'.length)]);
    // The sweep (safety-sweep.ts) removes it once past the retention — from uat, so only when it may connect there.
    expect((await sweepSafetyCopies(t.configDir, { retentionDays: 0 })).kept).toContain(journal.id);
    expect(await safetyVolumes(journal.id)).toHaveLength(1);
    expect((await sweepSafetyCopies(t.configDir, { retentionDays: 0, engineFor: (id) => t.engine(id) })).removed).toContain(journal.id);
    expect(await safetyVolumes(journal.id)).toEqual([]);

    // A restore that succeeds: the copy is made on uat, then removed with the operation.
    const moved = relay.downBytes + relay.upBytes;
    const ok = await cli('restore', snapshotId, '--repo', repoName, '--to-host', 'uat-relayed', '--map', `${sourceName}=${over}`, '--json');
    expect(ok.code, ok.err || ok.out).toBe(0);
    expect(relay.downBytes + relay.upBytes - moved).toBeLessThan(2 * MiB);
    expect(await listing(uat, over)).toBe(await listing(t.lab.machines.production, src));
    const op = JSON.parse(ok.out) as { operationId: string };
    const log = await fs.readFile(path.join(t.configDir, 'operations', `${op.operationId}.log.jsonl`), 'utf8');
    expect(log).toMatch(/Safety copy of hs-direct-over[^"]*: volume hindsight-safety-[^"]*, kept on uat-relayed \(\d+ bytes\)/);
    expect(await safetyVolumes(op.operationId)).toEqual([]);
  }, 300_000);

  it('over a PostgreSQL container: the dump of what it holds is kept by uat’s agent, never crosses the tunnel; a failed restore is put back from it', async () => {
    const { t, cli, repoName } = bed;
    const uat = t.lab.machines.uat;
    await bed.manager.install(t.ids.uat, bed.ctx());
    await dockerCli(uat, 'run', '-d', '--name', pg, '--network', 'none', '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', POSTGRES);
    const psql = (db: string, sql: string) => dockerCli(uat, 'exec', pg, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-d', db, '-Atc', sql);
    await waitFor('the test PostgreSQL on uat', async () => (await psql('postgres', 'select 1').catch(() => '')) === '1', 60_000);
    // What uat holds before: a database of its own, ~10 MB of rows (hex text: ~5 MB once compressed).
    await psql('postgres', 'create database keepme');
    await psql('keepme', "create table t as select i, repeat(md5(i::text), 4) as s from generate_series(1, 60000) i");
    const state = async () => [await psql('postgres', 'select datname from pg_database order by 1'), await psql('keepme', "select count(*), md5(string_agg(s, ',' order by i)) from t")].join('\n');
    const before = await state();

    // production's shop database, backed up; a copy of that snapshot with a flipped byte in its object.
    const prodDb = (t.lab.stacks.production as unknown as { database: { container: string } }).database.container;
    const snap = async (set: string) => {
      const r = await cli('backup', '--host', 'production', '--repo', repoName, '--postgres', prodDb, '--set', set, '--json');
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as { snapshotId: string; sources: { name: string }[] };
    };
    const good = await snap('pg-good');
    const bad = await snap('pg-corrupted');
    const dataKey = (await listKeys(bed.repo, `data/${bad.snapshotId}/`)).find((k) => !k.endsWith('.json'))!;
    const chunks: Buffer[] = [];
    for await (const c of await bed.repo.getObject(dataKey)) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    body[body.length - 64] = body[body.length - 64]! ^ 0xff;
    await bed.repo.putObject(dataKey, Readable.from([body]));

    const down = relay.downBytes;
    const failed = await cli('restore', bad.snapshotId, '--repo', repoName, '--to-host', 'uat-relayed', '--map', `${bad.sources[0]!.name}=${pg}`, '--json');
    expect(failed.code).not.toBe(0);
    expect(failed.err + failed.out).toMatch(/rolled back/);
    // uat holds what it held: its own database, and no database the failed load created.
    expect(await state()).toBe(before);
    // The dump of uat's ~10 MB was made and loaded back on uat: it never came to the console.
    expect(relay.downBytes - down).toBeLessThan(2 * MiB);
    const journal = (await listJournals(t.configDir)).find((j) => j.snapshotId === bad.snapshotId)!;
    expect(journal.state).toBe('rolled-back');
    expect(journal.targets[0]!.safetyCopy).toMatch(new RegExp(`^agent:${journal.id}/[^/]+\\.sql\\.zst$`));
    expect(journal.targets[0]!.databasesBefore).toContain('keepme');
    const agentFiles = (op: string) => dockerCli(uat, 'exec', AGENT_CONTAINER, 'ls', `${AGENT_STATE_DIR}/safety/${op}`).then((o) => o.split('\n').filter(Boolean), () => []);
    expect(await agentFiles(journal.id)).toHaveLength(1);
    // Kept after the failure; the sweep removes it from uat's agent once past the retention.
    expect((await sweepSafetyCopies(t.configDir, { retentionDays: 0, engineFor: (id) => t.engine(id) })).removed).toContain(journal.id);
    expect(await agentFiles(journal.id)).toEqual([]);

    // A restore that succeeds: the copy is made by the agent, then removed with the operation.
    const ok = await cli('restore', good.snapshotId, '--repo', repoName, '--to-host', 'uat-relayed', '--map', `${good.sources[0]!.name}=${pg}`, '--json');
    expect(ok.code, ok.err || ok.out).toBe(0);
    const op = JSON.parse(ok.out) as { operationId: string };
    const log = await fs.readFile(path.join(t.configDir, 'operations', `${op.operationId}.log.jsonl`), 'utf8');
    expect(log).toMatch(new RegExp(`Safety copy of ${pg}: agent:${op.operationId}/[^ ]+, kept by the agent on uat-relayed \\(\\d+ bytes\\)`));
    expect(await agentFiles(op.operationId)).toEqual([]);
    expect(await psql('postgres', 'select datname from pg_database order by 1')).toMatch(/keepme/);
  }, 300_000);

  it('over a directory in a container: its copy is kept by uat’s agent; a failed restore puts the directory back', async () => {
    const { t, cli, repoName } = bed;
    const uat = t.lab.machines.uat;
    await bed.manager.install(t.ids.uat, bed.ctx());
    await dockerCli(uat, 'run', '-d', '--name', app, '--network', 'none', 'hindsight-lab/busybox:latest', 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait');
    const inApp = (script: string) => dockerCli(uat, 'exec', app, 'sh', '-c', script);
    const listing = () => inApp('cd /srv/conf && find . | sort | while read -r f; do echo "$(stat -c "%n %F %a %u:%g %s" "$f") $([ -f "$f" ] && md5sum < "$f" | cut -c1-12)"; done');
    await inApp('mkdir -p /srv/conf/sub && echo "a = 1" > /srv/conf/app.ini && head -c 6000000 /dev/urandom > /srv/conf/sub/blob && chown 1000:1000 /srv/conf/sub && chmod 600 /srv/conf/app.ini');
    const backedUp = await listing();
    const r = await cli('backup', '--host', 'uat-relayed', '--repo', repoName, '--directory', `${app}:/srv/conf`, '--set', 'conf', '--json');
    expect(r.code, r.err).toBe(0);
    const snap = JSON.parse(r.out) as { snapshotId: string; sources: { name: string; objectKey: string }[] };
    // The directory changes after the backup: that is what the safety copy must keep.
    await inApp('echo "a = 2" > /srv/conf/app.ini && head -c 3000000 /dev/urandom > /srv/conf/added.bin');
    const changed = await listing();

    // A copy of the snapshot with a flipped byte: the restore fails and is rolled back.
    const body: Buffer[] = [];
    for await (const c of await bed.repo.getObject(snap.sources[0]!.objectKey)) body.push(c as Buffer);
    const corrupted = Buffer.concat(body);
    corrupted[corrupted.length >> 1] = corrupted[corrupted.length >> 1]! ^ 0xff;
    await bed.repo.putObject(snap.sources[0]!.objectKey, Readable.from([corrupted]));
    const moved = relay.downBytes + relay.upBytes;
    const failed = await cli('restore', snap.snapshotId, '--repo', repoName, '--to-host', 'uat-relayed', '--map', `${snap.sources[0]!.name}=${app}`, '--json');
    expect(failed.code).not.toBe(0);
    expect(failed.err + failed.out).toMatch(/rolled back/);
    expect(await listing()).toBe(changed);
    expect(relay.downBytes + relay.upBytes - moved).toBeLessThan(2 * MiB);
    const journal = (await listJournals(t.configDir)).find((j) => j.snapshotId === snap.snapshotId)!;
    expect(journal.targets[0]!.safetyCopy).toMatch(new RegExp(`^agent:${journal.id}/[^/]+\\.tar\\.zst$`));

    // The object mended: the restore succeeds, the directory is the backed-up one again.
    await bed.repo.putObject(snap.sources[0]!.objectKey, Readable.from([Buffer.concat(body)]));
    const ok = await cli('restore', snap.snapshotId, '--repo', repoName, '--to-host', 'uat-relayed', '--map', `${snap.sources[0]!.name}=${app}`, '--json');
    expect(ok.code, ok.err || ok.out).toBe(0);
    expect(await listing()).toBe(backedUp);
    const op = JSON.parse(ok.out) as { operationId: string };
    const log = await fs.readFile(path.join(t.configDir, 'operations', `${op.operationId}.log.jsonl`), 'utf8');
    expect(log).toMatch(/kept by the agent on uat-relayed/);
  }, 300_000);
});
