/**
 * Retention of a point-in-time archive, on a local repository with signed records: the newest
 * base backups are kept with every segment from the oldest kept one's start; the rest goes, record
 * before data, and the archive read back still has whole windows.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLsn, segmentName, WAL_SEGMENT_BYTES } from '../../../shared/wal.js';
import { listKeys, LocalBackend, writeJsonObject } from '../repository/index.js';
import { consoleSigner, TrustedWriters, type ManifestSigner } from '../signing/index.js';
import { baseBackupPrefix, readClusterArchive, signPitrRecord, walListPrefix, walPrefix, windowsOf, type BaseBackupRecord, type WalSegmentEntry } from './archive-records.js';
import { archiveToPrune, pruneArchive } from './archive-retention.js';

const cluster = '7000000000000000001';
const host = { id: 'production', name: 'production' };
const sha = 'a'.repeat(64);
let dir: string;
let repo: LocalBackend;
let signer: ManifestSigner;
let trusted: TrustedWriters;

const put = (key: string) => repo.putObject(key, Readable.from([Buffer.from(key)]));
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString();
const lsnOfSegment = (i: number) => formatLsn(BigInt(i) * BigInt(WAL_SEGMENT_BYTES) + 40n);

async function base(id: string, segment: number, minute: number): Promise<void> {
  const key = `${baseBackupPrefix(cluster)}${id}.tar.zst`;
  await put(key);
  const r: BaseBackupRecord = {
    format: 'hindsight-pitr-base/1',
    id,
    cluster,
    sourceHost: host,
    container: 'db',
    image: 'sha256:x',
    serverVersion: '150010',
    timeline: 1,
    startLsn: lsnOfSegment(segment),
    endLsn: lsnOfSegment(segment),
    startedAt: at(minute),
    endedAt: at(minute),
    object: { key, compression: 'zstd', rawBytes: 1, storedBytes: 1, rawSha256: sha, storedSha256: sha },
  };
  await writeJsonObject(repo, `${baseBackupPrefix(cluster)}${id}.json`, signPitrRecord(r, signer));
}

async function list(name: string, from: number, to: number): Promise<void> {
  const segments: WalSegmentEntry[] = [];
  for (let i = from; i <= to; i++) {
    const n = segmentName({ timeline: 1, index: BigInt(i) });
    await put(`${walPrefix(cluster)}${n}.zst`);
    segments.push({ name: n, partial: false, receivedAt: at(i * 10 + 5), object: { key: `${walPrefix(cluster)}${n}.zst`, compression: 'zstd', rawBytes: 1, storedBytes: 1, rawSha256: sha, storedSha256: sha } });
  }
  await writeJsonObject(repo, `${walListPrefix(cluster)}${name}.json`, signPitrRecord({ format: 'hindsight-pitr-wal/1' as const, cluster, sourceHost: host, container: 'db', writtenAt: at(0), segments }, signer));
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-pitr-retention-'));
  repo = new LocalBackend(path.join(dir, 'repo'));
  signer = await consoleSigner(dir);
  trusted = new TrustedWriters(dir);
  // Base backups in segments 2, 5 and 8 (each ending in its segment); WAL 1…10 in two lists.
  await base('b1', 2, 21);
  await base('b2', 5, 51);
  await base('b3', 8, 81);
  await list('l1', 1, 6);
  await list('l2', 7, 10);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('retention of a point-in-time archive', () => {
  it('keeping as many base backups as there are changes nothing', async () => {
    const a = await readClusterArchive(repo, cluster, trusted);
    expect(archiveToPrune(a, 3)).toEqual({ bases: [], segments: [] });
  });

  it('keeps the newest two with the WAL from the older one on; deletes the rest, the archive still whole', async () => {
    const before = await readClusterArchive(repo, cluster, trusted);
    expect(windowsOf(before).map((w) => w.baseId)).toEqual(['b3', 'b2', 'b1']);
    const pruned = await pruneArchive({ backend: repo, archive: before, keepBases: 2, signer, host, container: 'db' });
    expect(pruned.bases).toEqual(['b1']);
    expect(pruned.segments).toEqual([1, 2, 3, 4].map((i) => segmentName({ timeline: 1, index: BigInt(i) })));

    const keys = await listKeys(repo, `pitr/${cluster}/`);
    expect(keys.filter((k) => k.includes('/base/b1'))).toEqual([]);
    expect(keys.filter((k) => k.includes('/wal/0') && k.endsWith('.zst')).length).toBe(6);
    expect(keys.filter((k) => k.includes('/lists/'))).toEqual([expect.stringMatching(/-pruned\.json$/)]);

    const after = await readClusterArchive(repo, cluster, trusted);
    expect(after.problems).toEqual([]);
    expect(after.bases.map((b) => b.id)).toEqual(['b3', 'b2']);
    expect([...after.segments.keys()].sort()).toEqual([5, 6, 7, 8, 9, 10].map((i) => segmentName({ timeline: 1, index: BigInt(i) })));
    // b2's window still reaches the newest segment; nothing before it is left.
    expect(windowsOf(after).map((w) => [w.baseId, w.to.toISOString()])).toEqual([
      ['b3', at(105)],
      ['b2', at(105)],
    ]);
  });
});
