/**
 * Incremental volume backups (issue 10, ARCHITECTURE §9): GNU tar listed-incremental levels made by
 * the host's agent. GNU tar keeps what it saw of the volume (names, inodes, times) in a "snapshot
 * file"; a level made against it holds only what changed since, plus every directory's listing —
 * which is how the restore learns of deletions and renames (pipeline/tar-dumpdir.ts).
 *
 * Where the snapshot files live: on the host, in the agent's state volume
 * (`<state>/levels/<key>/<snapshot-id>.snar`, the key a hash of repository, set, source and volume),
 * never in the repository. They describe production's files to production's own next backup only;
 * an encrypted set's agent could not read them back from the repository (it holds public keys
 * only); and a restore never needs them (GNU tar extracts a level with --listed-incremental=/dev/null).
 * Losing them costs one full level, nothing else.
 *
 * What a new level builds on: the newest snapshot this host keeps a file for whose manifest is in the
 * repository, trusted (signed by a writer pinned for the host — so nobody who can only write to the
 * bucket can slip objects into a chain the agent then signs), of the same host, source and volume, and
 * whose chain's objects are all still there. The new manifest lists that chain, level 0 first, with
 * each level's checksums. Otherwise — or when the chain is as old or as long as the set allows — a
 * new chain begins with a full level 0, and the log says why.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RpcError } from '../../../shared/contract/errors.js';
import type { ChainLink, IncrementalSpec, ManifestSource } from '../../../shared/contract/snapshots.js';
import { parseSnapshotId } from '../../../shared/snapshot-id.js';
import { openRepository, type RepositoryBackend } from '../repository/index.js';
import { readCheckedManifest, type TrustedWriters } from '../signing/index.js';

/** Snapshot files kept per source: the newest few, in case the newest manifest never got written. */
const KEEP_FILES = 3;

export interface LevelQuery {
  backend: RepositoryBackend;
  set: string;
  source: string;
  volume: string;
  hostId: string;
  incremental: IncrementalSpec;
  now: Date;
  signal?: AbortSignal | undefined;
}

export interface LevelPlan {
  level: number;
  /** The levels this one builds on, level 0 first (empty for level 0). */
  chain: ChainLink[];
  /** GNU tar's snapshot file for this run, in the folder the helper shares: a copy of the base's, or none yet (level 0). */
  snapshotFile: string;
  /** Why this level, in words for the log. */
  reason: string;
  /** A full level where a chain was expected to go on (a level gone, a manifest not trusted): worth a warning. */
  unexpected?: boolean;
  /** Where the snapshot file is kept once the level is in the repository. */
  keyDir: string;
  /** The file index of the level this one builds on (the whole tree then), when it has one: the new level's index starts from it (level-index.ts). */
  baseIndexKey?: string;
}

export class Levels {
  /**
   * @param stateDir the agent's state folder (the snapshot files are kept under `levels/`)
   * @param workDir the folder shared with the helpers (Engine.pipes.dir), where GNU tar updates a copy
   */
  constructor(
    private readonly stateDir: string,
    private readonly workDir: string,
    private readonly trusted: TrustedWriters,
  ) {}

  async plan(q: LevelQuery): Promise<LevelPlan> {
    const { marker } = await openRepository(q.backend, q.signal ? { signal: q.signal } : {});
    const keyDir = path.join(this.stateDir, 'levels', createHash('sha256').update([marker.id, q.set, q.source, q.volume].join('\0')).digest('hex').slice(0, 32));
    const snapshotFile = path.join(this.workDir, `snar-${randomBytes(8).toString('hex')}`);
    const full = (reason: string, unexpected = false): LevelPlan => ({ level: 0, chain: [], snapshotFile, reason, keyDir, ...(unexpected ? { unexpected } : {}) });
    const known = await this.known(keyDir);
    if (!known.length) return full('a full level: the first of this volume backed up in levels from this host');
    const problems: string[] = [];
    for (const id of known) {
      const base = await this.baseOf(id, q).catch((e: unknown) => {
        if (q.signal?.aborted) throw e;
        return `${id}: ${e instanceof Error ? e.message : String(e)}`;
      });
      if (typeof base === 'string') {
        problems.push(base);
        continue;
      }
      const chain: ChainLink[] = [...base.incremental.chain, linkOf(id, base)];
      const began = parseSnapshotId(chain[0]!.snapshotId)?.time ?? q.now;
      const { days, levels } = q.incremental.fullEvery;
      const ageDays = (q.now.getTime() - began.getTime()) / 86_400_000;
      if (days !== undefined && ageDays >= days) return full(`a full level: the chain began ${Math.floor(ageDays)} day(s) ago (a new one every ${days})`);
      if (levels !== undefined && chain.length >= levels) return full(`a full level: the chain holds ${chain.length} level(s) (a new one every ${levels})`);
      const missing = await firstMissing(q.backend, chain, q.signal);
      if (missing) return full(`a full level: ${missing} of the chain is missing from the repository`, true);
      await fs.copyFile(path.join(keyDir, `${id}.snar`), snapshotFile);
      await fs.chmod(snapshotFile, 0o600);
      return { level: base.incremental.level + 1, chain, snapshotFile, reason: `level ${base.incremental.level + 1} on ${id}`, keyDir, ...(base.indexKey ? { baseIndexKey: base.indexKey } : {}) };
    }
    return full(`a full level: no earlier level can be built on (${problems.slice(0, 2).join('; ')})`, true);
  }

  /** Keeps the level's snapshot file for the next run (after its objects are written), and only the newest few. */
  async keep(plan: LevelPlan, snapshotId: string): Promise<void> {
    await fs.mkdir(plan.keyDir, { recursive: true, mode: 0o700 });
    const file = path.join(plan.keyDir, `${snapshotId}.snar`);
    await fs.copyFile(plan.snapshotFile, `${file}.partial`);
    await fs.rename(`${file}.partial`, file);
    await this.discard(plan);
    for (const old of (await this.known(plan.keyDir)).slice(KEEP_FILES)) await fs.rm(path.join(plan.keyDir, `${old}.snar`), { force: true });
  }

  /** Removes the run's working copy (a failed or finished level). */
  async discard(plan: LevelPlan): Promise<void> {
    await fs.rm(plan.snapshotFile, { force: true });
  }

  /** Snapshot ids with a kept snapshot file, newest first (ids sort by time). */
  private async known(keyDir: string): Promise<string[]> {
    const names = await fs.readdir(keyDir).catch(() => [] as string[]);
    return names
      .filter((n) => n.endsWith('.snar'))
      .map((n) => n.slice(0, -'.snar'.length))
      .filter((id) => parseSnapshotId(id))
      .sort()
      .reverse();
  }

  /** The base's source entry, or why that snapshot cannot be one. */
  private async baseOf(id: string, q: LevelQuery): Promise<(ManifestSource & { incremental: NonNullable<ManifestSource['incremental']> }) | string> {
    let checked;
    try {
      checked = await readCheckedManifest(q.backend, id, this.trusted, q.signal);
    } catch (e) {
      if (RpcError.is(e) && e.code === 'NOT_FOUND') return `${id} is not in the repository (never written, or pruned)`;
      throw e;
    }
    if (checked.trust.status !== 'trusted') return `${id} is not trusted (${checked.trust.message})`;
    const m = checked.manifest;
    if (m.sourceHost.id !== q.hostId) return `${id} is of another host`;
    const src = m.sources.find((s) => s.name === q.source);
    if (!src || src.kind !== 'volume' || src.origin.volume !== q.volume || !src.incremental) return `${id} has no level of volume ${q.volume} as ${q.source}`;
    return src as ManifestSource & { incremental: NonNullable<ManifestSource['incremental']> };
  }
}

function linkOf(snapshotId: string, s: ManifestSource & { incremental: NonNullable<ManifestSource['incremental']> }): ChainLink {
  return {
    snapshotId,
    level: s.incremental.level,
    objectKey: s.objectKey,
    compression: s.compression,
    encryption: s.encryption,
    rawBytes: s.rawBytes,
    storedBytes: s.storedBytes,
    rawSha256: s.rawSha256,
    storedSha256: s.storedSha256,
  };
}

/** The first level object of the chain that is gone or of another size than recorded. */
export async function firstMissing(backend: RepositoryBackend, chain: ChainLink[], signal?: AbortSignal): Promise<string | undefined> {
  for (const link of chain) {
    const st = await backend.stat(link.objectKey, signal ? { signal } : {});
    if (!st) return `level ${link.level} (${link.objectKey})`;
    if (st.size !== link.storedBytes) return `level ${link.level} (${link.objectKey}, ${st.size} bytes where ${link.storedBytes} were written)`;
  }
  return undefined;
}
