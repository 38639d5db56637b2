/**
 * Retention of one plan (shared/retention.ts) over a repository: only the plan's own snapshots —
 * its set AND its host, a shared repository holds others' — with each one's verified and held state
 * read from the repository. Deleting removes the MANIFEST first (the snapshot is gone from every
 * listing at once), then its objects (data/, index/, verify/). A prune cut short leaves objects
 * without a manifest; the next prune of the plan removes such leftovers of its set once they are a
 * day old (a backup in progress writes its data before its manifest, and is never that old).
 *
 * Holds: `holds/<snapshot-id>.json` in the repository (any content) keeps a snapshot whatever the
 * policy says. So does a kept snapshot's incremental chain: the snapshots holding its levels stay.
 */
import type { PruneResult } from '../../../shared/contract/plans.js';
import type { Plan } from '../../../shared/contract/plans.js';
import { Manifest } from '../../../shared/contract/snapshots.js';
import { applyRetention, type RetentionSnapshot } from '../../../shared/retention.js';
import { parseSnapshotId } from '../../../shared/snapshot-id.js';
import { createLogger } from '../log.js';
import { newestVerifyKeys, VERIFY_PREFIX, verifyPassed } from '../backup/verify-records.js';
import { DATA_PREFIX, INDEX_PREFIX, listKeys, listSnapshots, manifestKey, readJsonObject, type RepositoryBackend } from '../repository/index.js';

const log = createLogger('prune');
export const HOLDS_PREFIX = 'holds/';
/** Objects of a snapshot without a manifest are a cut-short prune's leftovers after this long. */
const LEFTOVER_AGE_MS = 24 * 3_600_000;

async function exists(backend: RepositoryBackend, key: string, signal?: AbortSignal): Promise<boolean> {
  return (await backend.stat(key, signal ? { signal } : {})) !== null;
}

async function deleteUnder(backend: RepositoryBackend, prefix: string, signal?: AbortSignal): Promise<number> {
  const keys = await listKeys(backend, prefix, signal ? { signal } : {});
  for (const k of keys) await backend.deleteObject(k, signal ? { signal } : {});
  return keys.length;
}

async function deleteSnapshot(backend: RepositoryBackend, id: string, signal?: AbortSignal): Promise<void> {
  await backend.deleteObject(manifestKey(id), signal ? { signal } : {}); // first: it is gone from every listing
  for (const prefix of [DATA_PREFIX, INDEX_PREFIX, VERIFY_PREFIX]) await deleteUnder(backend, `${prefix}${id}/`, signal);
}

export async function prunePlan(backend: RepositoryBackend, plan: Plan, opts: { dryRun: boolean; now?: Date; signal?: AbortSignal }): Promise<PruneResult> {
  const { signal } = opts;
  const refs = await listSnapshots(backend, { set: plan.name, ...(signal ? { signal } : {}) });
  // One listing of verify/ for all of them, then only the newest record of each is read.
  const ids = new Set(refs.map((r) => r.id));
  const verifyKeys = await newestVerifyKeys(backend, (id) => ids.has(id), signal);
  const mine: RetentionSnapshot[] = [];
  for (const ref of refs) {
    let m: Manifest;
    try {
      m = await readJsonObject(backend, ref.manifestKey, Manifest, signal ? { signal } : {});
    } catch (e) {
      log.warn(`prune of plan ${plan.name}: ${ref.id} cannot be read; it is kept`, e instanceof Error ? e.message : e);
      continue;
    }
    if (m.sourceHost.id !== plan.hostId) continue; // another host's snapshots under the same set name
    const vk = verifyKeys.get(ref.id);
    const needs = [...new Set(m.sources.flatMap((s) => s.incremental?.chain.map((c) => c.snapshotId) ?? []))];
    mine.push({ id: ref.id, time: m.startedAt, verified: vk ? await verifyPassed(backend, vk, signal) : false, held: await exists(backend, `${HOLDS_PREFIX}${ref.id}.json`, signal), ...(needs.length ? { needs } : {}) });
  }
  const decisions = applyRetention(mine, plan.retention, { timeZone: plan.schedule.timeZone });
  const deleted: string[] = [];
  if (!opts.dryRun) {
    for (const d of decisions.filter((x) => !x.keep)) {
      await deleteSnapshot(backend, d.id, signal);
      deleted.push(d.id);
    }
    await sweepLeftovers(backend, plan.name, opts.now ?? new Date(), signal);
  }
  return { planId: plan.id, dryRun: opts.dryRun, decisions: decisions.map((d) => ({ snapshotId: d.id, time: d.time, keep: d.keep, reasons: d.reasons })), deleted };
}

/** data/ and index/ objects of this set's snapshots that have no manifest, a day after they were made. */
async function sweepLeftovers(backend: RepositoryBackend, set: string, now: Date, signal?: AbortSignal): Promise<void> {
  for (const prefix of [DATA_PREFIX, INDEX_PREFIX]) {
    const ids = new Set<string>();
    for await (const o of backend.list(prefix, signal ? { signal } : {})) {
      const id = o.key.slice(prefix.length).split('/')[0]!;
      const parsed = parseSnapshotId(id);
      if (parsed && parsed.set === set && now.getTime() - parsed.time.getTime() > LEFTOVER_AGE_MS) ids.add(id);
    }
    for (const id of ids) {
      if (await exists(backend, manifestKey(id), signal)) continue;
      const n = await deleteUnder(backend, `${prefix}${id}/`, signal);
      log.info(`prune of ${set}: removed ${n} leftover object(s) of ${id} (no manifest)`);
    }
  }
}
