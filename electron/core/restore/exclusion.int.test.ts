/**
 * Operations exclude each other on the real lab: while a restore holds a volume of uat's engine,
 * (a) a restore of that volume through ANOTHER host entry that reaches the same engine (over a TCP
 * relay: another address, the same dockerd) is refused — the locks are keyed by the engine's own
 * ID — and (b) a backup of that volume by the CLI in another process is refused too. Once the
 * first restore ends, both go through.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { engineId } from '../docker/engine-id.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli, REPO_DIR } from '../testing/lab.js';
import { TcpRelay } from '../testing/tcp-relay.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let relay: TcpRelay;
let uatAgain: string;
let snap: Manifest;
const src = uniqueName('hs-excl-src');
const target = uniqueName('hs-excl-dst');

/** The CLI in a separate process (tsx over the sources: no build needed), on the test's config dir. */
function cliProcess(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(REPO_DIR, 'node_modules/.bin/tsx'), [path.join(REPO_DIR, 'electron/cli/main.ts'), ...args], {
      env: { ...process.env, HINDSIGHT_CONFIG_DIR: t.configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  t = await labRestore();
  relay = new TcpRelay(t.lab.machines.uat.address, t.lab.machines.uat.port);
  uatAgain = await t.addUatVia('uat-again', await relay.listen());
  const prod = t.lab.machines.production;
  await dockerCli(prod, 'volume', 'create', src);
  await inVolume(prod, src, 'echo data > /v/file');
  await dockerCli(t.lab.machines.uat, 'volume', 'create', target);
  const host = { id: t.ids.production, name: 'production' };
  snap = await writeSnapshot(t.backend, 'excl', host, [volumeFixture(await t.engine(t.ids.production), host, src)]);
});

afterAll(async () => {
  await removeQuietly(t.lab.machines.uat, 'volume', target);
  await removeQuietly(t.lab.machines.production, 'volume', src);
  relay?.close();
  await t?.dispose();
});

describe('one operation at a time on a target', () => {
  it('two host entries of one engine share its locks; a backup in another process waits its turn', async () => {
    // Both entries name the same engine.
    expect(await engineId(await t.engine(uatAgain))).toBe(await engineId(await t.engine(t.ids.uat)));

    let reached!: () => void;
    const atRestore = new Promise<void>((r) => (reached = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const held = { ...t.deps, beforeStep: async (step: string) => (step === 'restore' ? (reached(), gate) : undefined) };
    const first = runRestore(held, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: t.ids.uat, map: { files: target }, safetyCopy: true });
    await atRestore;

    // (a) The same volume through the other host entry: refused, naming the first operation.
    await expect(runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: uatAgain, map: { files: target }, safetyCopy: true })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`volume ${target}`),
    });
    // (b) A backup of it by another process (the CLI), through that other entry: refused too.
    const backup = await cliProcess(['backup', '--host', 'uat-again', '--volume', target, '--repo', 'testrepo', '--set', 'excl-backup']);
    expect(backup.code, backup.out).toBe(2);
    expect(backup.out).toMatch(/in use by operation/);

    open();
    expect((await first).state).toBe('succeeded');
    // Free again: both go through now.
    const again = await cliProcess(['backup', '--host', 'uat-again', '--volume', target, '--repo', 'testrepo', '--set', 'excl-backup', '--json']);
    expect(again.code, again.out).toBe(0);
    expect((await runRestore(t.deps, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: uatAgain, map: { files: target }, safetyCopy: true })).state).toBe('succeeded');
  });
});
