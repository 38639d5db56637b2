/**
 * Safety-copy retention on a temp config dir, with real operations: a restore that fails and is
 * rolled back keeps its safety copy; once it is older than the retention, the next operation's
 * sweep removes it — and never the copies of an interrupted operation, a failed rollback, or a
 * folder without a journal. A backend starting on the config dir sweeps too.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { createBackend } from '../backend.js';
import { inVolume, removeQuietly, uniqueName } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { listJournals, readJournal, writeJournal, type Journal } from './journal.js';
import { runRestore, safetyDir } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let snap: Manifest;
const src = uniqueName('hs-sweep-src');
const target = uniqueName('hs-sweep-target');
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  t = await labRestore();
  await dockerCli(t.lab.machines.production, 'volume', 'create', src);
  await inVolume(t.lab.machines.production, src, 'echo new > /v/file');
  const host = { id: t.ids.production, name: 'production' };
  snap = await writeSnapshot(t.backend, 'sweep', host, [volumeFixture(await t.engine(t.ids.production), host, src)]);
  await dockerCli(t.lab.machines.uat, 'volume', 'create', target);
  await inVolume(t.lab.machines.uat, target, 'echo old > /v/file');
});

afterAll(async () => {
  await removeQuietly(t.lab.machines.uat, 'volume', target);
  await removeQuietly(t.lab.machines.production, 'volume', src);
  await t?.dispose();
});

const exists = (p: string) => fsp.stat(p).then(() => true, () => false);

/** A journal of another (fabricated) operation with a safety folder, ended `age` ms ago. */
async function fabricate(base: Journal, id: string, state: Journal['state'], age: number): Promise<string> {
  const endedAt = state === 'running' ? null : new Date(Date.now() - age).toISOString();
  // On another volume: an interrupted operation on the test's target would (rightly) block the next restore.
  const targets = base.targets.map((x) => ({ ...x, target: `${x.target}-elsewhere` }));
  await writeJournal(t.configDir, { ...base, id, state, endedAt, targets, startedAt: new Date(Date.now() - age - 60_000).toISOString() });
  const dir = safetyDir(t.configDir, id);
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(path.join(dir, 'files.tar.zst'), 'x');
  return dir;
}

async function age(id: string, days: number): Promise<void> {
  const j = (await readJournal(t.configDir, id))!;
  await writeJournal(t.configDir, { ...j, endedAt: new Date(Date.now() - days * DAY).toISOString() });
}

const run = (deps = t.deps) => runRestore(deps, { repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: t.ids.uat, map: { files: target }, safetyCopy: true });
const failing = () => ({
  ...t.deps,
  beforeStep: (step: string) => {
    if (step === 'verify') throw new Error('injected failure before verify');
  },
});

describe('safety-copy retention', () => {
  it('a rolled-back restore keeps its copy; past the retention the next operation removes it, never the others', async () => {
    await expect(run(failing())).rejects.toThrow(/rolled back/);
    const failed = (await listJournals(t.configDir)).find((j) => j.snapshotId === snap.id && j.state === 'rolled-back')!;
    const failedDir = safetyDir(t.configDir, failed.id);
    expect(await fsp.readdir(failedDir)).toEqual(['files.tar.zst']);

    const interrupted = await fabricate(failed, '20261001T000000Z-restore-aaaaaa', 'running', 60 * DAY);
    const rollbackFailed = await fabricate(failed, '20261001T000000Z-restore-bbbbbb', 'rollback-failed', 60 * DAY);
    const recent = await fabricate(failed, '20261001T000000Z-restore-cccccc', 'rolled-back', 2 * DAY);
    const orphan = path.join(t.configDir, 'safety', '20261001T000000Z-restore-dddddd');
    await fsp.mkdir(orphan, { recursive: true });

    // Still within the retention: the next operation's sweep keeps it.
    await run(failing()).catch(() => undefined);
    expect(await exists(failedDir)).toBe(true);

    await age(failed.id, 8);
    const ok = await run();
    expect(ok.state).toBe('succeeded');
    expect(await exists(failedDir)).toBe(false);
    expect(await exists(safetyDir(t.configDir, ok.operationId))).toBe(false); // a success removes its own at once
    for (const kept of [interrupted, rollbackFailed, recent, orphan]) expect(await exists(kept)).toBe(true);
    expect(await dockerCli(t.lab.machines.uat, 'run', '--rm', '-v', `${target}:/v:ro`, 'hindsight-lab/busybox:latest', 'cat', '/v/file')).toBe('new');
  });

  it('a backend starting on the config dir sweeps what is past the retention', async () => {
    const second = (await listJournals(t.configDir)).find((j) => j.snapshotId === snap.id && j.state === 'rolled-back' && j.endedAt && Date.now() - Date.parse(j.endedAt) < DAY)!;
    const dir = safetyDir(t.configDir, second.id);
    expect(await exists(dir)).toBe(true);
    await age(second.id, 7.5);
    const backend = await createBackend({ configDir: t.configDir, seedLocalHost: false, userKnownHostsPath: null });
    try {
      expect(await exists(dir)).toBe(false);
      expect(await exists(safetyDir(t.configDir, '20261001T000000Z-restore-aaaaaa'))).toBe(true);
    } finally {
      await backend.dispose();
    }
  });
});
