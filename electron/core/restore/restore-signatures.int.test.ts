/**
 * Signed snapshots against the real lab: whoever can write the bucket (not the writer) plants or
 * edits a manifest — self-consistent checksums and all — and tries to have it restored onto uat.
 * Each is refused before anything on uat is touched (exit 3 from the CLI); accepting an unsigned
 * one by hand works and is audited; a set marked encrypted refuses a plain snapshot.
 */
import { generateKeyPairSync } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { runCliCaptured } from '../../cli/testing/run-cli-captured.js';
import { BackupSetsStore } from '../backup/backup-sets-store.js';
import { manifestKey } from '../repository/index.js';
import { makeSnapshotId } from '../../../shared/snapshot-id.js';
import { signerFromPrivateKey } from '../signing/index.js';
import { inVolume, removeQuietly, uniqueName, volumeListing } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { readAudit } from './audit.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
let signed: Manifest;
let unsigned: Manifest;
const src = uniqueName('hs-sig-src');
const target = uniqueName('hs-sig-dst');

const manifestFile = (m: Manifest) => path.join(t.repoDir, manifestKey(m.id));
const rewrite = async (m: Manifest, change: (raw: Record<string, unknown>) => unknown) => {
  const raw = JSON.parse(await fsp.readFile(manifestFile(m), 'utf8')) as Record<string, unknown>;
  await fsp.writeFile(manifestFile(m), JSON.stringify(change(raw) ?? raw, null, 2));
};
const uatState = async () => (await volumeListing(t.lab.machines.uat, target)).stat;
const restoreInput = (m: Manifest, extra: object = {}) => ({ repositoryId: t.repositoryId, snapshotId: m.id, targetHostId: t.ids.uat, map: { files: target }, safetyCopy: true, ...extra });

beforeAll(async () => {
  t = await labRestore();
  const prod = t.lab.machines.production;
  await dockerCli(prod, 'volume', 'create', src);
  await inVolume(prod, src, 'echo production > /v/data');
  await dockerCli(t.lab.machines.uat, 'volume', 'create', target);
  await inVolume(t.lab.machines.uat, target, 'echo uat-before > /v/kept');
  const host = { id: t.ids.production, name: 'production' };
  const engine = await t.engine(t.ids.production);
  signed = await writeSnapshot(t.backend, 'sigtest', host, [volumeFixture(engine, host, src)]);
  unsigned = await writeSnapshot(t.backend, 'sigtest', host, [volumeFixture(engine, host, src)], { signer: null });
});

afterAll(async () => {
  await removeQuietly(t.lab.machines.uat, 'volume', target);
  await removeQuietly(t.lab.machines.production, 'volume', src);
  await t?.dispose();
});

describe('a restore uses only manifests a trusted writer signed for their host', () => {
  it('unsigned: refused (exit 3, says why), uat untouched, no operation started', async () => {
    const before = await uatState();
    const r = await runCliCaptured(t.configDir, ['restore', unsigned.id, '--repo', 'testrepo', '--to-host', 'uat', '--map', `files=${target}`]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/not signed/);
    const dry = await runCliCaptured(t.configDir, ['restore', unsigned.id, '--repo', 'testrepo', '--to-host', 'uat', '--map', `files=${target}`, '--dry-run']);
    expect(dry.code).toBe(3);
    expect(await uatState()).toBe(before);
    expect((await runCliCaptured(t.configDir, ['operations', '--json'])).out).not.toContain(unsigned.id);
  });

  it('edited after signing (the checksums made consistent with another object): bad signature, refused', async () => {
    const forged = await writeSnapshot(t.backend, 'sigtest', { id: t.ids.production, name: 'production' }, [volumeFixture(await t.engine(t.ids.production), { id: t.ids.production, name: 'production' }, src)]);
    // Point the signed manifest at the unsigned snapshot's object, with that object's own checksums.
    await rewrite(forged, (raw) => {
      const s = (raw.sources as Array<Record<string, unknown>>)[0]!;
      const other = unsigned.sources[0]!;
      Object.assign(s, { objectKey: other.objectKey, rawSha256: other.rawSha256, storedSha256: other.storedSha256, rawBytes: other.rawBytes, storedBytes: other.storedBytes });
    });
    const before = await uatState();
    await expect(runRestore(t.deps, restoreInput(forged))).rejects.toMatchObject({ code: 'UNTRUSTED', detail: 'bad-signature' });
    expect(await uatState()).toBe(before);
  });

  it('signed by a stranger key, or a trusted writer claiming another host: refused', async () => {
    const stranger = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey, 'console@attacker');
    const planted = await writeSnapshot(t.backend, 'sigtest', { id: t.ids.production, name: 'production' }, [volumeFixture(await t.engine(t.ids.production), { id: t.ids.production, name: 'production' }, src)], { signer: stranger });
    await expect(runRestore(t.deps, restoreInput(planted))).rejects.toMatchObject({ code: 'UNTRUSTED', detail: 'unknown-writer', message: expect.stringContaining('console@attacker') });
    // The same key, now pinned for uat only (an agent of uat): its "production" snapshot stays refused.
    const { TrustedWriters } = await import('../signing/index.js');
    await new TrustedWriters(t.configDir).pin({ publicKey: stranger.publicKey, writer: 'agent@uat', hosts: [t.ids.uat] });
    await expect(runRestore(t.deps, restoreInput(planted))).rejects.toMatchObject({ code: 'UNTRUSTED', detail: 'untrusted-for-host' });
  });

  it("a trusted manifest copied under another snapshot's name is refused (its id is signed)", async () => {
    const otherId = makeSnapshotId('sigtest', { now: new Date() });
    await fsp.mkdir(path.dirname(path.join(t.repoDir, manifestKey(otherId))), { recursive: true });
    await fsp.copyFile(manifestFile(signed), path.join(t.repoDir, manifestKey(otherId)));
    await expect(runRestore(t.deps, { ...restoreInput(signed), snapshotId: otherId })).rejects.toMatchObject({ code: 'UNTRUSTED', message: expect.stringContaining(`signed for ${signed.id}`) });
  });

  it('--allow-unsigned accepts an unsigned snapshot: restored, verified, and the audit record says so', async () => {
    const r = await runCliCaptured(t.configDir, ['restore', unsigned.id, '--repo', 'testrepo', '--to-host', 'uat', '--map', `files=${target}`, '--allow-unsigned']);
    expect(r.code, r.err).toBe(0);
    expect((await volumeListing(t.lab.machines.uat, target)).stat).toContain('data');
    const audit = await readAudit(t.configDir, { limit: 10, text: unsigned.id });
    expect(audit.at(-1)).toMatchObject({ result: 'succeeded', accepted: expect.stringMatching(/^unsigned: /) });
  });

  it('a signed snapshot restores; a set marked encrypted refuses a plain one', async () => {
    expect((await runRestore(t.deps, restoreInput(signed))).state).toBe('succeeded');
    await new BackupSetsStore(t.configDir).add({ name: 'sigtest', hostId: t.ids.production, repositoryId: t.repositoryId, sources: [{ kind: 'volume', volume: src }], encryption: 'age-passphrase', passphrase: 'set-secret' });
    await expect(runRestore(t.deps, restoreInput(signed))).rejects.toMatchObject({ code: 'UNTRUSTED', detail: 'encryption-lowered' });
  });
});
