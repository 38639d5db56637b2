/**
 * A base backup of a lab PostgreSQL 15 into a repository (docs/pitr.md, the first part of
 * point-in-time recovery): pg_basebackup's tar through the pipeline, then its record. The tar is a
 * data directory (its backup_label names the same WAL start as the record, pg_control is there); a
 * second backup after writes starts later in the WAL; a stopped container fails with nothing left.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn, segmentName, segmentOf } from '../../../shared/wal.js';
import type { Engine } from '../docker/engine.js';
import { createDecompressor } from '../pipeline/index.js';
import { listKeys, LocalBackend, readJsonObject } from '../repository/index.js';
import { labEngines, POSTGRES, removeQuietly, uniqueName, type LabEngines } from '../sources/testing/lab-engines.js';
import { dockerCli, waitFor } from '../testing/lab.js';
import { consoleSigner, type ManifestSigner } from '../signing/index.js';
import { BaseBackupRecord, baseBackupPrefix } from './archive-records.js';
import { takeBaseBackup } from './base-backup.js';

let lab: LabEngines;
let prod: Engine;
let dir: string;
let repo: LocalBackend;
let signer: ManifestSigner;
const pg = uniqueName('hs-test-pitr');
const host = { id: 'production', name: 'production' };

beforeAll(async () => {
  lab = await labEngines();
  prod = await lab.engine('production');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-pitr-'));
  repo = new LocalBackend(path.join(dir, 'repo'));
  signer = await consoleSigner(dir);
  const m = lab.machine('production');
  await dockerCli(m, 'run', '-d', '--name', pg, '--network', 'none', '--label', 'org.hindsight.test=sources', POSTGRES);
  await waitFor(`postgres in ${pg}`, async () => (await dockerCli(m, 'exec', pg, 'psql', '-U', 'postgres', '-Atc', 'SELECT 1').catch(() => '')) === '1', 60_000);
}, 120_000);

afterAll(async () => {
  await removeQuietly(lab.machine('production'), 'container', pg);
  await lab.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

/** The names in the stored tar, and its backup_label. */
async function contents(key: string): Promise<{ names: string[]; label: string }> {
  const names: string[] = [];
  let label = '';
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    names.push(h.name);
    const parts: Buffer[] = [];
    stream.on('data', (d: unknown) => h.name === 'backup_label' && parts.push(d as Buffer));
    stream.on('end', () => {
      if (h.name === 'backup_label') label = Buffer.concat(parts).toString();
      next();
    });
  });
  await pipeline(await repo.getObject(key), createDecompressor({ kind: 'zstd' }), extract);
  return { names, label };
}

describe('a PostgreSQL base backup', () => {
  it('is the data directory as a tar, with a record of the WAL it needs, written last', async () => {
    const first = await takeBaseBackup({ engine: prod, container: pg, backend: repo, host, signer });
    expect(first).toMatchObject({ format: 'hindsight-pitr-base/1', timeline: 1, container: pg, serverVersion: expect.stringMatching(/^15\d{4}$/) });
    expect(first.signature?.keyId).toBe(signer.keyId);
    expect(first.image).toBeTruthy();
    expect(parseLsn(first.endLsn) >= parseLsn(first.startLsn)).toBe(true);
    const stored = await readJsonObject(repo, `${baseBackupPrefix(first.cluster)}${first.id}.json`, BaseBackupRecord);
    expect(stored).toEqual(first);
    const { names, label } = await contents(first.object.key);
    expect(names).toContain('global/pg_control');
    expect(names).toContain('PG_VERSION');
    expect(label).toContain(`START WAL LOCATION: ${first.startLsn} `);
    expect(label).toContain('START TIMELINE: 1');
    // The WAL of its own run is in it (-X fetch): it restores by itself to the moment it ended.
    expect(names).toContain(`pg_wal/${segmentName(segmentOf(parseLsn(first.startLsn), 1))}`);
    // The cluster's own identifier names the archive.
    expect(first.cluster).toBe(await dockerCli(lab.machine('production'), 'exec', pg, 'psql', '-U', 'postgres', '-Atc', 'SELECT system_identifier FROM pg_control_system()'));

    await dockerCli(lab.machine('production'), 'exec', pg, 'psql', '-U', 'postgres', '-c', 'CREATE TABLE t AS SELECT g FROM generate_series(1, 200000) g');
    const second = await takeBaseBackup({ engine: prod, container: pg, backend: repo, host, signer });
    expect(second.cluster).toBe(first.cluster);
    expect(parseLsn(second.startLsn) > parseLsn(first.endLsn)).toBe(true);
  }, 120_000);

  it('a stopped container: a clear error, nothing left in the repository', async () => {
    const before = await listKeys(repo, '');
    await dockerCli(lab.machine('production'), 'stop', pg);
    await expect(takeBaseBackup({ engine: prod, container: pg, backend: repo, host, signer })).rejects.toThrow(/not running|is exited|stopped/i);
    expect(await listKeys(repo, '')).toEqual(before);
  }, 60_000);
});
