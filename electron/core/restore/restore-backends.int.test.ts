/**
 * The volume round trip production → uat through the two remote repository kinds — the lab's S3
 * (s3rver) and the annex over SFTP — each under a location of its own, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryInput } from '../../../shared/contract/repositories.js';
import { initRepository } from '../repository/index.js';
import { inVolume, removeQuietly, uniqueName, volumeListing } from '../sources/testing/lab-engines.js';
import { dockerCli } from '../testing/lab.js';
import { runRestore } from './runner.js';
import { labRestore, type LabRestore } from './testing/lab-restore.js';
import { volumeFixture, writeSnapshot } from './testing/snapshot-fixture.js';

let t: LabRestore;
const RUN = `hs-restore-${randomBytes(4).toString('hex')}`;
const src = uniqueName('hs-rstb-src');
const targets: string[] = [];
const s3Ids: string[] = [];

beforeAll(async () => {
  t = await labRestore();
  await dockerCli(t.lab.machines.production, 'volume', 'create', src);
  await inVolume(t.lab.machines.production, src, 'mkdir -p "/v/a b/ü" && echo hi > "/v/a b/ü/x" && ln -s "a b" /v/link && head -c 2097152 /dev/urandom > /v/r.bin && chown 42:43 /v/r.bin');
});

afterAll(async () => {
  for (const v of targets) await removeQuietly(t.lab.machines.uat, 'volume', v);
  await removeQuietly(t.lab.machines.production, 'volume', src);
  for (const id of s3Ids) {
    const backend = await t.deps.openRepository(id);
    try {
      const keys: string[] = [];
      for await (const o of backend.list('')) keys.push(o.key);
      for (const k of keys) await backend.deleteObject(k).catch(() => undefined);
    } finally {
      await backend.close();
    }
  }
  if (t?.lab.annex) await fsp.rm(path.join(t.lab.annex.hostRepoPath, RUN), { recursive: true, force: true }).catch(() => undefined);
  await t?.dispose();
});

function inputs(): Array<[string, RepositoryInput]> {
  const s3 = t.lab.s3!;
  const annex = t.lab.annex!;
  return [
    [
      's3',
      {
        name: 'test-s3',
        kind: 's3',
        endpoint: s3.endpoint,
        region: s3.region,
        bucket: s3.buckets[0]!,
        prefix: `${RUN}/`,
        forcePathStyle: true,
        credentials: { source: 'keys', accessKeyId: s3.accessKeyId },
        secretAccessKey: s3.secretAccessKey,
      },
    ],
    ['sftp', { name: 'test-annex', kind: 'sftp', address: annex.address, port: annex.port, user: annex.user, auth: { type: 'key', keyPath: annex.keyPath }, path: `${annex.repoPath}/${RUN}` }],
  ];
}

describe('round trip through each remote repository kind', () => {
  for (const kind of ['s3', 'sftp'] as const) {
    it(`${kind}: production → a new volume on uat, identical and verified`, async () => {
      const input = inputs().find(([k]) => k === kind)![1];
      const repo = await t.repositories.add(input as Parameters<typeof t.repositories.add>[0]);
      if (kind === 's3') s3Ids.push(repo.id);
      const backend = await t.deps.openRepository(repo.id);
      let snapId: string;
      try {
        await initRepository(backend);
        const host = { id: t.ids.production, name: 'production' };
        snapId = (await writeSnapshot(backend, 'btest', host, [volumeFixture(await t.engine(t.ids.production), host, src)])).id;
      } finally {
        await backend.close();
      }
      const target = uniqueName(`hs-rstb-${kind}`);
      targets.push(target);
      const r = await runRestore(t.deps, { repositoryId: repo.id, snapshotId: snapId, targetHostId: t.ids.uat, map: { files: target }, safetyCopy: true });
      expect(r.verification[0]!.ok).toBe(true);
      const a = await volumeListing(t.lab.machines.production, src);
      const b = await volumeListing(t.lab.machines.uat, target);
      expect(b).toEqual(a);
    });
  }
});
