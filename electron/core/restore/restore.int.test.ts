/**
 * Restore and verify against the real lab: snapshots of production (made by the test fixture:
 * sources → pipeline → local-folder repository, manifest last) restored onto uat, compared with
 * the docker CLI on both machines; failures each leaving the target as it was and its containers
 * in their former state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { dockerCli } from '../testing/lab.js';
import { BUSYBOX, inVolume, removeQuietly, uniqueName, volumeListing } from '../sources/testing/lab-engines.js';
import { auditPath } from './audit.js';
import { engineId } from '../docker/engine-id.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { corruptObject, tarBytesFixture, volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';
import { packTar } from '../pipeline/testing/tar-craft.js';
import { findInterrupted, summarize } from './handlers.js';
import { listJournals, writeJournal, type Journal } from './journal.js';
import { rollbackOperation } from './rollback.js';
import { runRestore } from './runner.js';
import { runVerify } from './verify.js';
import fsp from 'node:fs/promises';
import { trickyVolumeSeed } from '../sources/testing/tricky-volume.js';

const SEED = trickyVolumeSeed({ randomMiB: 3 });

let t: LabRestore;
const srcVolume = uniqueName('hs-rst-src');
const newVolume = uniqueName('hs-rst-new');
const existing = uniqueName('hs-rst-existing');
const user = uniqueName('hs-rst-user');
let snap: Manifest;

const uatM = () => t.lab.machines.uat;
const prodM = () => t.lab.machines.production;
const base = () => ({ repositoryId: t.repositoryId, snapshotId: snap.id, targetHostId: t.ids.uat, map: {}, safetyCopy: true });

beforeAll(async () => {
  t = await labRestore();
  await dockerCli(prodM(), 'volume', 'create', srcVolume);
  await inVolume(prodM(), srcVolume, SEED);
  snap = await writeSnapshot(t.backend, 'rtest', { id: t.ids.production, name: 'production' }, [
    volumeFixture(await t.engine(t.ids.production), { id: t.ids.production, name: 'production' }, srcVolume),
  ]);
  // An existing target on uat with content of its own and a running container using it.
  await dockerCli(uatM(), 'volume', 'create', existing);
  await inVolume(uatM(), existing, 'echo before > /v/before.txt && mkdir -p /v/keep && echo k > /v/keep/k');
  await dockerCli(uatM(), 'run', '-d', '--name', user, '--network', 'none', '-v', `${existing}:/data`, BUSYBOX, 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait');
});

afterAll(async () => {
  await removeQuietly(uatM(), 'container', user);
  for (const v of [newVolume, existing]) await removeQuietly(uatM(), 'volume', v);
  await removeQuietly(prodM(), 'volume', srcVolume);
  await t?.dispose();
});

async function running(name: string): Promise<string> {
  return dockerCli(uatM(), 'inspect', '-f', '{{.State.Status}}', name);
}

describe('restore production → uat', () => {
  it('into a NEW volume name: byte-identical files, modes, owners, mtimes, links, empty dirs, odd names; verified; audited', async () => {
    const logs: string[] = [];
    const result = await runRestore(t.deps, { ...base(), map: { files: newVolume } }, { signal: new AbortController().signal, report: (e) => e.type === 'log' && logs.push(e.message) });
    expect(result.state).toBe('succeeded');
    expect(result.verification[0]).toMatchObject({ ok: true, target: newVolume });
    expect(result.verification[0]!.checks.map((c) => c.name)).toEqual(['stored sha256', 'raw bytes', 'entries', 'file bytes']);
    const a = await volumeListing(prodM(), srcVolume);
    const b = await volumeListing(uatM(), newVolume);
    expect(b.sha).toBe(a.sha);
    expect(b.stat).toBe(a.stat);
    const audit = (await fsp.readFile(auditPath(t.configDir), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(audit.at(-1)).toMatchObject({ operationId: result.operationId, kind: 'restore', result: 'succeeded', snapshotId: snap.id, to: `uat: ${newVolume}` });
    const ops = await t.deps.locks.holder({ engineId: await engineId(await t.engine(t.ids.uat)), kind: 'volume', name: newVolume });
    expect(ops).toBeUndefined();
  });

  it('over an existing volume: users stopped and started again, old content replaced', async () => {
    const result = await runRestore(t.deps, { ...base(), map: { files: existing } });
    expect(result.state).toBe('succeeded');
    expect((await volumeListing(uatM(), existing)).sha).toBe((await volumeListing(prodM(), srcVolume)).sha);
    expect(await running(user)).toBe('running');
  });

  it('a corrupted data object is detected; the target is rolled back and its container runs as before', async () => {
    await inVolume(uatM(), existing, 'find /v -mindepth 1 -maxdepth 1 -exec rm -rf {} + && echo before > /v/before.txt');
    const before = await volumeListing(uatM(), existing);
    const bad = await writeSnapshot(t.backend, 'rtest', { id: t.ids.production, name: 'production' }, [
      volumeFixture(await t.engine(t.ids.production), { id: t.ids.production, name: 'production' }, srcVolume),
    ]);
    await corruptObject(t.repoDir, bad.sources[0]!.objectKey);
    const err = await runRestore(t.deps, { ...base(), snapshotId: bad.id, map: { files: existing } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringMatching(/rolled back/) });
    expect(String((err as Error).message)).toContain('does not match its recorded checksum: it is corrupted');
    expect(await volumeListing(uatM(), existing)).toEqual(before);
    expect(await running(user)).toBe('running');
  });

  it('protected host: refused without --confirm, nothing touched', async () => {
    const err = await runRestore(t.deps, { ...base(), targetHostId: t.ids.production, map: { files: srcVolume } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('protected') });
    const wrong = await runRestore(t.deps, { ...base(), targetHostId: t.ids.production, map: { files: srcVolume }, confirm: 'uat' }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'CONFLICT' });
  });

  it('per-target lock: a second concurrent restore onto the same target is refused', async () => {
    const first = runRestore(t.deps, { ...base(), map: { files: existing } });
    await new Promise((r) => setTimeout(r, 50));
    let second: unknown;
    for (let i = 0; i < 100 && second === undefined; i++) {
      if (await t.deps.locks.holder({ engineId: await engineId(await t.engine(t.ids.uat)), kind: 'volume', name: existing })) {
        second = await runRestore(t.deps, { ...base(), map: { files: existing } }).catch((e: unknown) => e);
      } else await new Promise((r) => setTimeout(r, 20));
    }
    expect(second).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('in use by operation') });
    expect((await first).state).toBe('succeeded');
  });

  it('verify: restores into a throwaway volume, checks, removes it, records the result in the repository', async () => {
    const r = await runVerify(t.deps, { repositoryId: t.repositoryId, snapshotId: snap.id, hostId: t.ids.uat });
    expect(r.ok).toBe(true);
    expect(r.recordKey).toMatch(new RegExp(`^verify/${snap.id}/\\d{8}T\\d{6}Z\\.json$`));
    const rec = JSON.parse(await fsp.readFile(`${t.repoDir}/${r.recordKey}`, 'utf8')) as { ok: boolean };
    expect(rec.ok).toBe(true);
    const left = await dockerCli(uatM(), 'volume', 'ls', '-q', '--filter', `name=hindsight-verify-`);
    expect(left.split('\n').filter((n) => n.includes(r.operationId.slice(-6)))).toEqual([]);
  });

  for (const [kind, name] of [
    ['a ".." component', '../x'],
    ['an absolute path', '/tmp/evil'],
  ] as const) {
    it(`a crafted tar with ${kind} is refused naming the entry; the target is untouched`, async () => {
      await inVolume(uatM(), existing, 'find /v -mindepth 1 -maxdepth 1 -exec rm -rf {} + && echo before > /v/before.txt');
      const before = await volumeListing(uatM(), existing);
      const tar = await packTar([
        { name: './', type: 'directory', mode: 0o755 },
        { name: './ok.txt', content: 'fine\n' },
        { name, content: 'evil\n' },
      ]);
      const bad = await writeSnapshot(t.backend, 'rtest', { id: t.ids.production, name: 'production' }, [tarBytesFixture(tar, { id: t.ids.production, name: 'production' })]);
      const err = await runRestore(t.deps, { ...base(), snapshotId: bad.id, map: { files: existing } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ message: expect.stringContaining(`"${name}"`) });
      expect(String((err as Error).message)).toContain('rolled back');
      expect(await volumeListing(uatM(), existing)).toEqual(before);
      expect(await running(user)).toBe('running');
    });
  }

  it('interrupted run: the journal left mid-step is found at start, and its rollback restores the target and containers', async () => {
    await inVolume(uatM(), existing, 'find /v -mindepth 1 -maxdepth 1 -exec rm -rf {} + && echo before > /v/before.txt');
    const before = await volumeListing(uatM(), existing);
    // Run until the verify step, keep the journal as it was written then (safety copy made, target
    // touched, users stopped), and make the step fail so this run ends.
    let kept: Journal | undefined;
    const deps = { ...t.deps, beforeStep: (step: string, j: Journal) => {
      if (step === 'verify') {
        kept = structuredClone(j);
        throw new Error('simulated crash');
      }
    } };
    // Keep the safety copy: the failing run's rollback uses it and leaves it in place.
    await runRestore(deps, { ...base(), map: { files: existing } }).catch(() => undefined);
    expect(kept).toMatchObject({ step: 'verify', state: 'running' });
    // The process "died" in verify: the journal says running, the target holds the snapshot, the user is stopped.
    await writeJournal(t.configDir, kept!);
    await inVolume(uatM(), existing, 'echo half-restored > /v/junk');
    await dockerCli(uatM(), 'stop', '-t', '1', user);
    const fresh = t.freshDeps();
    const found = await findInterrupted(fresh);
    expect(found.map((o) => o.id)).toContain(kept!.id);
    expect(found.find((o) => o.id === kept!.id)).toMatchObject({ state: 'interrupted', step: 'verify', recovery: expect.stringContaining('safety copy') });
    const r = await rollbackOperation(fresh, kept!.id);
    expect(r.state).toBe('rolled-back');
    expect(await volumeListing(uatM(), existing)).toEqual(before);
    expect(await running(user)).toBe('running');
    const after = (await listJournals(t.configDir)).find((j) => j.id === kept!.id)!;
    expect(summarize(after, new Set()).state).toBe('rolled-back');
  });

  it('an encrypted snapshot (age passphrase): refused up front without the passphrase, restored with it', async () => {
    const host = { id: t.ids.production, name: 'production' };
    const enc = await writeSnapshot(t.backend, 'rtest', host, [volumeFixture(await t.engine(t.ids.production), host, srcVolume)], { passphrase: 'correct horse' });
    expect(enc.sources[0]!.objectKey).toMatch(/\.tar\.zst\.age$/);
    const target = uniqueName('hs-rst-enc');
    try {
      const refused = await runRestore(t.deps, { ...base(), snapshotId: enc.id, map: { files: target } }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('passphrase') });
      expect(await dockerCli(uatM(), 'volume', 'ls', '-q', '--filter', `name=${target}`)).toBe('');
      const wrong = await runRestore(t.deps, { ...base(), snapshotId: enc.id, map: { files: target }, decryption: { passphrase: 'wrong' } }).catch((e: unknown) => e);
      expect(wrong).toMatchObject({ message: expect.stringContaining('rolled back') });
      expect(await dockerCli(uatM(), 'volume', 'ls', '-q', '--filter', `name=${target}`)).toBe('');
      const ok = await runRestore(t.deps, { ...base(), snapshotId: enc.id, map: { files: target }, decryption: { passphrase: 'correct horse' } });
      expect(ok.verification[0]!.ok).toBe(true);
      expect((await volumeListing(uatM(), target)).sha).toBe((await volumeListing(prodM(), srcVolume)).sha);
    } finally {
      await removeQuietly(uatM(), 'volume', target);
    }
  });
});
