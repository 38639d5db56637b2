/**
 * Test fixture: makes snapshots the way the backup side does (sources → runPipeline(backup) →
 * repository object, manifest written LAST), so restore tests do not depend on the backup engine.
 * Also: a snapshot from any tar bytes (crafted, malicious) and a way to corrupt a stored object.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Manifest, ManifestSource } from '../../../../shared/contract/snapshots.js';
import { makeSnapshotId } from '../../../../shared/snapshot-id.js';
import type { Engine } from '../../docker/engine.js';
import { TarGuard, runPipeline, storedSuffix, type EncryptionSpec } from '../../pipeline/index.js';
import { dataKey, manifestKey, writeJsonObject, type RepositoryBackend } from '../../repository/index.js';
import { signManifest, type ManifestSigner } from '../../signing/index.js';
import { openPostgresDump, openVolumeTar, postgresDatabases, postgresMajorVersion, postgresRowCounts } from '../../sources/index.js';

export interface FixtureSource {
  name: string;
  kind: 'volume' | 'postgres';
  format: 'tar' | 'sql';
  origin: ManifestSource['origin'];
  open(): Promise<{ stream: Readable; done?: Promise<void> }>;
  rowCounts?: Record<string, number>;
  databaseRowCounts?: Record<string, Record<string, number>>;
}

export async function writeSnapshot(
  backend: RepositoryBackend,
  set: string,
  sourceHost: { id: string; name: string },
  sources: FixtureSource[],
  /** Encrypt with age (scrypt passphrase; a low work factor keeps tests fast). */
  opts: {
    passphrase?: string;
    /** The snapshot's time (its id and startedAt), for as-of tests. */ now?: Date;
    /** Who signs it: default the fixture signer (useFixtureSigner); null = unsigned. */ signer?: ManifestSigner | null;
  } = {},
): Promise<Manifest> {
  const encryption: EncryptionSpec = opts.passphrase ? { kind: 'passphrase', passphrase: opts.passphrase, workFactor: 10 } : { kind: 'none' };
  const started = opts.now ?? new Date();
  const id = makeSnapshotId(set, { now: started });
  const out: ManifestSource[] = [];
  for (const s of sources) {
    const startedAt = new Date().toISOString();
    const key = dataKey(id, s.name, `${s.format === 'tar' ? 'tar' : 'sql'}${storedSuffix({ kind: 'zstd' }, encryption)}`);
    const { stream, done } = await s.open();
    const guard = s.format === 'tar' ? new TarGuard({ policy: 'report' }) : undefined;
    const r = await runPipeline({
      direction: 'backup',
      source: stream,
      compression: { kind: 'zstd' },
      encryption,
      ...(guard ? { rawStages: [guard] } : {}),
      sink: (body) => backend.putObject(key, body),
    });
    await done;
    out.push({
      name: s.name,
      kind: s.kind,
      origin: s.origin,
      objectKey: key,
      format: s.format,
      compression: 'zstd',
      encryption: opts.passphrase ? 'age-passphrase' : 'none',
      rawBytes: r.rawBytes,
      storedBytes: r.storedBytes,
      rawSha256: r.rawSha256,
      storedSha256: r.storedSha256,
      ...(guard ? { fileCount: guard.summary.entries, fileBytes: guard.summary.fileBytes } : {}),
      ...(s.rowCounts ? { rowCounts: s.rowCounts } : {}),
      ...(s.databaseRowCounts ? { databaseRowCounts: s.databaseRowCounts } : {}),
      startedAt,
      completedAt: new Date().toISOString(),
    });
  }
  const manifest: Manifest = {
    format: 'hindsight/1',
    id,
    set,
    sourceHost,
    startedAt: started.toISOString(),
    completedAt: new Date().toISOString(),
    tags: [],
    toolVersion: 'restore-test-fixture',
    sources: out,
  };
  const signer = opts.signer === undefined ? fixtureSigner : opts.signer ?? undefined;
  const written = signer ? signManifest(manifest, signer) : manifest;
  await writeJsonObject(backend, manifestKey(id), written);
  return written;
}

/** The key fixture snapshots are signed with unless a test says otherwise (labRestore sets its console's). */
let fixtureSigner: ManifestSigner | undefined;
export function useFixtureSigner(signer: ManifestSigner | undefined): void {
  fixtureSigner = signer;
}

export function volumeFixture(engine: Engine, host: { id: string; name: string }, volume: string, name = 'files'): FixtureSource {
  return {
    name,
    kind: 'volume',
    format: 'tar',
    origin: { hostId: host.id, hostName: host.name, volume },
    open: async () => {
      const src = await openVolumeTar({ engine, volume });
      return { stream: src.stream, done: src.closed };
    },
  };
}

export async function postgresFixture(engine: Engine, host: { id: string; name: string }, container: string, image: string): Promise<FixtureSource> {
  const major = await postgresMajorVersion({ engine, container });
  // Like the backup side does for a dumpall: the counts of every database (templates excepted).
  const databaseRowCounts: Record<string, Record<string, number>> = {};
  for (const db of await postgresDatabases({ engine, container })) databaseRowCounts[db] = await postgresRowCounts({ engine, container, database: db });
  return {
    name: 'db',
    kind: 'postgres',
    format: 'sql',
    origin: { hostId: host.id, hostName: host.name, container, image, engineVersion: `PostgreSQL ${major}` },
    databaseRowCounts,
    open: async () => ({ stream: (await openPostgresDump({ engine, container, mode: 'dumpall' })).stream }),
  };
}

/** A snapshot holding exactly these tar bytes as volume source "files". */
export function tarBytesFixture(tar: Buffer, host: { id: string; name: string }): FixtureSource {
  return { name: 'files', kind: 'volume', format: 'tar', origin: { hostId: host.id, hostName: host.name, volume: 'crafted' }, open: async () => ({ stream: Readable.from([tar]) }) };
}

/** Flips one byte in the middle of a stored object of a local-folder repository. */
export async function corruptObject(repoDir: string, key: string): Promise<void> {
  const file = path.join(repoDir, ...key.split('/'));
  const data = await fsp.readFile(file);
  const at = Math.floor(data.length / 2);
  data[at] = data[at]! ^ 0xff;
  await fsp.writeFile(file, data);
}
