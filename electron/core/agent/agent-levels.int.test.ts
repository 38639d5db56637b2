/**
 * Incremental volume backups (issue 10 item 1) on the lab: `hindsight backup --incremental` of a
 * volume on uat, whose agent makes GNU tar listed-incremental levels. Three levels with files added,
 * changed, deleted and renamed (tricky kinds of files included) each restore equal to the volume as
 * it was; an unchanged volume's level stores almost nothing; a chain missing a level is refused
 * before anything is touched; a host without the agent gets a full copy, and cannot restore a level.
 */
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createDecompressor } from '../pipeline/index.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../../shared/contract/snapshots.js';
import { readJsonObject, manifestKey } from '../repository/index.js';
import { inVolume, removeQuietly, uniqueName, volumeListing } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import type { Plan } from '../../../shared/contract/plans.js';
import { prunePlan } from '../plans/prune.js';
import { agentTestBed, type AgentTestBed } from './testing/lab-agent.js';

let bed: AgentTestBed;
const vol = uniqueName('hs-levels');
const restored = [uniqueName('hs-levels-r0'), uniqueName('hs-levels-r1'), uniqueName('hs-levels-r2')];
const untouched = uniqueName('hs-levels-keep');
const onProduction = uniqueName('hs-levels-prod');
const linked = uniqueName('hs-levels-links');
const linkedBack = uniqueName('hs-levels-links-r');
const MiB = 1 << 20;

type BackupJson = { snapshotId: string; sources: Array<{ name: string; storedBytes: number; rawBytes: number; fileCount?: number }> };

beforeAll(async () => {
  bed = await agentTestBed('agent-levels');
  await bed.manager.install(bed.t.ids.uat, bed.ctx());
}, 240_000);

afterAll(async () => {
  if (bed) for (const v of [vol, untouched, linked, linkedBack, ...restored]) await removeQuietly(bed.t.lab.machines.uat, 'volume', v);
  if (bed) await removeQuietly(bed.t.lab.machines.production, 'volume', onProduction);
  await bed?.dispose();
});

/** "<type> <size> <path>" of every entry a snapshot's file index lists, sorted (files' sizes; 0 otherwise). */
async function indexedTree(key: string | undefined): Promise<string[]> {
  expect(key).toBeTruthy();
  const parts: Buffer[] = [];
  await pipeline(await bed.repo.getObject(key!), createDecompressor({ kind: 'zstd' }), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) parts.push(c);
  });
  const kind: Record<string, string> = { file: 'f', hardlink: 'f', dir: 'd', symlink: 'l', fifo: 'p' };
  return Buffer.concat(parts)
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { path: string; type: string; size: number })
    // A hard link's second name carries no size in a tar: "?" there, compared by name and type only.
    .map((e) => `${kind[e.type] ?? e.type} ${e.type === 'file' ? e.size : e.type === 'hardlink' ? '?' : 0} ${e.path}`)
    .sort();
}

/** Both listings name the same entries, of the same types and sizes ("?" matches any size). */
function sameTree(indexed: string[], found: string[]): boolean {
  const key = (l: string) => { const [t, , ...p] = l.split(' '); return `${t} ${p.join(' ')}`; };
  expect(indexed.map(key).sort()).toEqual(found.map(key).sort());
  const sizes = new Map(found.map((l) => [key(l), l.split(' ')[1]]));
  for (const l of indexed) if (l.split(' ')[1] !== '?') expect(`${l.split(' ')[1]} ${key(l)}`).toBe(`${sizes.get(key(l))} ${key(l)}`);
  return true;
}

/** The same of the volume on uat, from find. */
async function volumeTree(volume: string): Promise<string[]> {
  const out = await inVolume(bed.t.lab.machines.uat, volume, `cd /v && find . -exec stat -c '%F|%s|%n' {} +`);
  const kind: Record<string, string> = { 'regular file': 'f', 'regular empty file': 'f', directory: 'd', 'symbolic link': 'l', fifo: 'p' };
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('|'))
    .map(([type, size, name]) => `${kind[type!] ?? type} ${kind[type!] === 'f' ? size : 0} ${name === '.' ? '.' : name!.replace(/^\.\//, '')}`)
    .sort();
}

/** Every operation log of the console, as one text. */
async function operationLogs(): Promise<string> {
  const dir = path.join(bed.t.configDir, 'operations');
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.log.jsonl'));
  return (await Promise.all(files.map((f) => fs.readFile(path.join(dir, f), 'utf8')))).join('\n');
}

async function backup(host: string, volume: string): Promise<{ json: BackupJson; manifest: Manifest; out: string }> {
  const r = await bed.cli('backup', '--host', host, '--repo', bed.repoName, '--volume', volume, '--set', 'levels', '--incremental', '--json');
  expect(r.code, r.err || r.out).toBe(0);
  const json = JSON.parse(r.out) as BackupJson;
  const manifest = await readJsonObject(bed.repo, manifestKey(json.snapshotId), Manifest);
  return { json, manifest, out: r.out + r.err };
}

async function restore(snapshotId: string, target: string, host = 'uat') {
  // production is protected in the lab: confirmed by its name.
  return bed.cli('restore', snapshotId, '--repo', bed.repoName, '--to-host', host, '--map', `${vol}=${target}`, ...(host === 'production' ? ['--confirm', host] : []), '--json');
}

describe('incremental volume backups made by the agent', () => {
  const uat = () => bed.t.lab.machines.uat;
  const states: Array<{ stat: string; sha: string }> = [];
  const snaps: Manifest[] = [];

  it('level 0, then levels with what changed only; each restores to the volume as it was', async () => {
    await dockerCli(uat(), 'volume', 'create', vol);
    await inVolume(
      uat(),
      vol,
      `cd /v && mkdir -p keep 'dir with space/sub' gone/deeper moved/inner && echo one > keep/a && echo two > 'dir with space/f.txt'
       echo three > gone/deeper/x && echo four > moved/inner/y && echo привет > 'ünïcødé' && ln -s ../keep/a rel-link && ln -s /etc/passwd abs-link
       ln keep/a hard && mkfifo fifo && head -c 8000000 /dev/urandom > big && echo old > stale && chown 1234:5678 keep/a && chmod 640 keep/a`,
    );
    states.push(await volumeListing(uat(), vol));
    const l0 = await backup('uat', vol);
    snaps.push(l0.manifest);
    const s0 = l0.manifest.sources[0]!;
    expect(s0.incremental).toMatchObject({ level: 0, chain: [] });
    expect(s0.storedBytes).toBeGreaterThan(7.5 * MiB);

    await inVolume(uat(), vol, `sleep 1; cd /v && echo changed >> keep/a && rm -r gone stale && mv moved renamed && echo new > renamed/inner/new && mv 'dir with space/f.txt' 'dir with space/g.txt' && mkdir added && echo added > added/file`);
    states.push(await volumeListing(uat(), vol));
    const l1 = await backup('uat', vol);
    snaps.push(l1.manifest);
    const s1 = l1.manifest.sources[0]!;
    expect(s1.incremental?.level).toBe(1);
    expect(s1.incremental?.chain.map((c) => c.snapshotId)).toEqual([l0.json.snapshotId]);
    // The big file did not change: the level holds the few small files only.
    expect(s1.storedBytes).toBeLessThan(100 * 1024);
    expect(s1.incremental?.treeDigest).toMatch(/^[0-9a-f]{64}$/);
    // The whole tree is counted, not the level's entries.
    expect(s1.fileCount).toBe(Number((await inVolume(uat(), vol, 'find /v | wc -l')).trim()));

    // Its file index is the whole tree (the base's index and the level's changes, level-index.ts).
    expect(sameTree(await indexedTree(s1.indexKey), await volumeTree(vol))).toBe(true);

    const l2 = await backup('uat', vol);
    snaps.push(l2.manifest);
    const s2 = l2.manifest.sources[0]!;
    states.push(states[1]!);
    expect(s2.incremental?.level).toBe(2);
    expect(s2.incremental?.chain.map((c) => c.level)).toEqual([0, 1]);
    // Unchanged: well under 1 % of the full level.
    expect(s2.storedBytes).toBeLessThan(s0.storedBytes / 100);
    expect(sameTree(await indexedTree(s2.indexKey), await volumeTree(vol))).toBe(true);

    for (const [i, snap] of snaps.entries()) {
      const r = await restore(snap.id, restored[i]!);
      expect(r.code, r.err || r.out).toBe(0);
      const result = JSON.parse(r.out) as { verification?: Array<{ ok: boolean; checks: Array<{ name: string; ok: boolean }> }> };
      expect(result.verification?.every((v) => v.ok)).toBe(true);
      expect(result.verification?.[0]?.checks.find((c) => c.name === 'entries')?.ok).toBe(true);
      // Beyond level 0, the restored tree is the one the level listed (pipeline/tree-digest.ts).
      if (i > 0) expect(result.verification?.[0]?.checks.find((c) => c.name === 'tree')?.ok).toBe(true);
      expect(await volumeListing(uat(), restored[i]!), `level ${i}`).toEqual(states[i]!);
    }

    // A verify of the level on uat (throwaway volume, by its agent): the same checks, recorded.
    const verify = await bed.cli('verify', snaps[2]!.id, '--repo', bed.repoName, '--host', 'uat', '--json');
    expect(verify.code, verify.err || verify.out).toBe(0);
    expect(verify.out).toMatch(/"tree"/);

    // Retention keeps a kept level's chain whole: "keep the last 1" keeps all three.
    const plan = { id: 'p', name: 'levels', hostId: bed.t.ids.uat, retention: { keepLast: 1 }, schedule: { cron: '0 2 * * *', timeZone: 'UTC' } } as unknown as Plan;
    const preview = await prunePlan(bed.repo, plan, { dryRun: true });
    expect(preview.decisions.map((d) => [d.snapshotId, d.reasons])).toEqual([
      [snaps[2]!.id, ['last', 'newest verified']],
      [snaps[1]!.id, ['level of a kept snapshot']],
      [snaps[0]!.id, ['level of a kept snapshot']],
    ]);
    const pruned = await prunePlan(bed.repo, plan, { dryRun: false });
    expect(pruned.deleted).toEqual([]);
  }, 600_000);

  it('without the agent: a full copy; a level beyond 0 cannot be restored there, a level 0 can', async () => {
    const prod = bed.t.lab.machines.production;
    await dockerCli(prod, 'volume', 'create', onProduction);
    await inVolume(prod, onProduction, 'echo x > /v/x');
    const r = await bed.cli('backup', '--host', 'production', '--repo', bed.repoName, '--volume', onProduction, '--set', 'levels-prod', '--incremental', '--json');
    expect(r.code, r.err || r.out).toBe(0);
    expect(await operationLogs()).toMatch(/a full copy, not a level: incremental levels are made by the host's agent/);
    const m = await readJsonObject(bed.repo, manifestKey((JSON.parse(r.out) as BackupJson).snapshotId), Manifest);
    expect(m.sources[0]!.incremental).toBeUndefined();
    const refused = await restore(snaps[1]!.id, uniqueName('hs-levels-nowhere'), 'production');
    expect(refused.code).not.toBe(0);
    expect(refused.err + refused.out).toMatch(/extracted by GNU tar on the target host's agent, which production does not run/);
    // A level 0 is a whole archive: any host restores it, through the console.
    const full = await restore(snaps[0]!.id, onProduction, 'production');
    expect(full.code, full.err || full.out).toBe(0);
    expect(await volumeListing(prod, onProduction)).toEqual(states[0]);
  }, 300_000);
  it('a level that replaces symbolic links of an earlier one by directories and files restores, nothing written through them', async () => {
    await dockerCli(uat(), 'volume', 'create', linked);
    await inVolume(uat(), linked, `cd /v && mkdir keep && echo one > keep/a && ln -s keep to-dir && ln -s keep/a to-file && ln -s keep stays && mkdir deep && ln -s ../keep deep/link`);
    const level = async () => {
      const r = await bed.cli('backup', '--host', 'uat', '--repo', bed.repoName, '--volume', linked, '--set', 'links', '--incremental', '--json');
      expect(r.code, r.err || r.out).toBe(0);
      return (JSON.parse(r.out) as BackupJson).snapshotId;
    };
    await level();
    // Had a link been followed, keep/ would gain "new", keep/a would read "two", deep/link/x would land in keep/.
    await inVolume(uat(), linked, `sleep 1; cd /v && rm to-dir to-file deep/link && mkdir to-dir deep/link && echo new > to-dir/new && echo two > to-file && echo x > deep/link/x`);
    const expected = await volumeListing(uat(), linked);
    const id = await level();
    const r = await bed.cli('restore', id, '--repo', bed.repoName, '--to-host', 'uat', '--map', `${linked}=${linkedBack}`, '--json');
    expect(r.code, r.err || r.out).toBe(0);
    const result = JSON.parse(r.out) as { verification?: Array<{ ok: boolean; checks: Array<{ name: string; ok: boolean }> }> };
    expect(result.verification?.[0]?.checks.find((c) => c.name === 'tree')?.ok).toBe(true);
    expect(await volumeListing(uat(), linkedBack)).toEqual(expected);
    expect(await inVolume(uat(), linkedBack, 'ls /v/keep; cat /v/keep/a')).toBe('a\none');
  }, 300_000);

  it('a chain missing a level is refused before anything is touched', async () => {
    const last = snaps[2]!;
    await dockerCli(uat(), 'volume', 'create', untouched);
    await inVolume(uat(), untouched, 'echo precious > /v/keep-me');
    const before = await volumeListing(uat(), untouched);
    const level1 = last.sources[0]!.incremental!.chain[1]!;
    await bed.repo.deleteObject(level1.objectKey);
    const r = await restore(last.id, untouched);
    expect(r.code).not.toBe(0);
    expect(r.err + r.out).toMatch(/level 1 .* is missing/);
    expect(await volumeListing(uat(), untouched)).toEqual(before);
    // The next backup cannot build on the broken chain: a new one begins with a full level.
    const next = await bed.cli('backup', '--host', 'uat', '--repo', bed.repoName, '--volume', vol, '--set', 'levels', '--incremental');
    expect(next.code, next.err).toBe(0);
    expect(next.out).toMatch(/level 0 \(full\)/);
    // Why, in the backup's log (the operation's, as the console shows it).
    expect(await operationLogs()).toMatch(/a full level: level 1 .* is missing from the repository/);
  }, 300_000);

});
