/**
 * The pre-flight checks of a restore, in one place: restore.preflight shows them before the run
 * (nothing is changed: reads, and read-only helper containers for free space), and the runner's
 * preflight step runs `targetChecks` — a "fail" there refuses the run before anything is stopped.
 */
import fsp from 'node:fs/promises';
import { RpcError } from '../../../shared/contract/errors.js';
import type { PreflightCheck, RestorePlan } from '../../../shared/contract/restore.js';
import type { Manifest, ManifestSource } from '../../../shared/contract/snapshots.js';
import type { Engine } from '../docker/engine.js';
import { postgresMajorVersion } from '../sources/index.js';
import { formatBytes } from '../backup/run-backup.js';
import { volumeSpace, type VolumeSpace } from './data-moves.js';
import { isInterrupted, listJournals } from './journal.js';
import type { TargetInventory } from './planner.js';
import type { TargetLocks } from './target-lock.js';

export interface TargetChecksInput {
  engine: Engine;
  hostName: string;
  plan: RestorePlan;
  manifest: Manifest;
  configDir: string;
  safetyCopy: boolean;
  /** The volumes' safety copies are kept on the host (host-safety.ts), beside the target on its disk. */
  safetyOnHost?: boolean | undefined;
  /** An existing volume on the host to measure the Docker data root through, for new volumes. */
  probeVolume?: string | undefined;
  /**
   * The Docker data root's free space as the host's agent measured it (the statfs of its state
   * volume, said while its restore got ready): used where only that is needed, instead of a probe
   * container. undefined: measured through a volume as without an agent.
   */
  dataRootFree?: (() => Promise<number | undefined>) | undefined;
  signal?: AbortSignal | undefined;
}

export function majorOf(version: string | undefined): number | undefined {
  const m = version?.match(/(\d+)(?:\.\d+)?/);
  return m ? Number(m[1]) : undefined;
}

async function measure(engine: Engine, volume: string, signal?: AbortSignal, usage = true): Promise<VolumeSpace | undefined> {
  try {
    return await volumeSpace(engine, volume, signal, { usage });
  } catch (e) {
    if (signal?.aborted) throw e;
    return undefined;
  }
}

/**
 * The data root's free space: the agent's figure when it gave one, else measured (`df` only)
 * through `probeVolume` or an existing target volume.
 */
async function dataRootSpace(x: TargetChecksInput): Promise<{ availableBytes: number; byAgent?: true } | undefined> {
  const fromAgent = await x.dataRootFree?.();
  if (fromAgent !== undefined) return { availableBytes: fromAgent, byAgent: true };
  const probe = x.probeVolume ?? x.plan.targets.find((t) => t.targetKind === 'volume' && !t.create)?.target;
  return probe ? measure(x.engine, probe, x.signal, false) : undefined;
}

/**
 * Room on the host for the databases' and directories' safety copies its agent keeps (agent-safety.ts),
 * in its state volume on the Docker data root. Estimated from the snapshot's uncompressed size (the
 * target's own dump is not measured beforehand), so a shortfall is a warning, as on the console.
 */
async function agentCopiesRoom(x: TargetChecksInput, measuredFree: number | undefined): Promise<PreflightCheck[]> {
  const kept = x.plan.targets.filter((t) => t.kind !== 'volume' && !t.create);
  if (!kept.length) return [];
  const estimate = kept.reduce((n, t) => n + (x.manifest.sources.find((s) => s.name === t.source)?.rawBytes ?? 0), 0);
  const base = { id: 'safety-space', title: `Room for the safety copies of ${kept.map((t) => t.target).join(', ')}` };
  const free = measuredFree ?? (await dataRootSpace(x))?.availableBytes;
  if (free === undefined) return [{ ...base, status: 'warn', detail: `Free space on ${x.hostName}'s Docker data root, where its agent keeps the safety copies, could not be measured.` }];
  return [
    free < estimate
      ? { ...base, status: 'warn', detail: `The safety copies (up to ${formatBytes(estimate)} before compression) may not fit on ${x.hostName} (${formatBytes(free)} free), where its agent keeps them.` }
      : { ...base, status: 'pass', detail: `${formatBytes(free)} free on ${x.hostName} for up to ${formatBytes(estimate)} of safety copies, kept there by its agent.` },
  ];
}

/** PostgreSQL versions and free space: what the runner checks on the target in its preflight step. */
export async function targetChecks(x: TargetChecksInput): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  const srcOf = (name: string): ManifestSource => x.manifest.sources.find((s) => s.name === name)!;
  for (const t of x.plan.targets) {
    if (t.kind !== 'postgres') continue;
    const src = srcOf(t.source);
    const want = majorOf(src.origin.engineVersion);
    let have: number;
    try {
      have = await postgresMajorVersion({ engine: x.engine, container: t.target, ...(x.signal ? { signal: x.signal } : {}) });
    } catch (e) {
      if (x.signal?.aborted) throw e;
      checks.push({ id: 'postgres-version', source: t.source, title: 'PostgreSQL version', status: 'fail', detail: `Could not ask ${t.target} for its PostgreSQL version: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    const base = { id: 'postgres-version', source: t.source, title: 'PostgreSQL version' };
    if (want === undefined) checks.push({ ...base, status: 'warn', detail: `${t.target} runs PostgreSQL ${have}; the snapshot does not say which version it came from.` });
    else if (have < want) checks.push({ ...base, status: 'fail', detail: `PostgreSQL ${have} in ${t.target} is older than the snapshot's PostgreSQL ${want} (${src.origin.engineVersion}) and cannot load its dump safely: use a container of version ${want} or newer.` });
    else if (have > want) checks.push({ ...base, status: 'warn', detail: `${t.target} runs PostgreSQL ${have}, newer than the snapshot's ${want}: a newer server loads an older dump; the row counts are checked afterwards.` });
    else checks.push({ ...base, status: 'pass', detail: `${t.target} runs PostgreSQL ${have}, the same major version as the snapshot.` });
  }

  // Free space. An existing volume: its filesystem, once the volume is cleared, must hold the files.
  let toCopy = 0;
  let hostFree: number | undefined;
  let newBytes = 0;
  const newVolumes: string[] = [];
  for (const t of x.plan.targets) {
    if (t.targetKind !== 'volume') continue;
    const src = srcOf(t.source);
    // A level beyond 0 knows no size of its tree: its levels' tar bytes bound it (t.rawBytes sums them).
    const need = src.fileBytes ?? t.rawBytes;
    if (t.create) {
      newBytes += need;
      newVolumes.push(t.target);
      continue;
    }
    const base = { id: 'free-space', source: t.source, title: `Free space for ${t.target}` };
    const space = await measure(x.engine, t.target, x.signal);
    if (!space) {
      checks.push({ ...base, status: 'warn', detail: `Free space for ${t.target} on ${x.hostName} could not be measured.` });
      continue;
    }
    toCopy += space.usedBytes;
    hostFree = Math.max(hostFree ?? 0, space.availableBytes);
    // A safety copy kept on the host holds the current content on the same disk: clearing the
    // target then frees nothing.
    const kept = x.safetyCopy && x.safetyOnHost;
    const room = kept ? space.availableBytes : space.availableBytes + space.usedBytes;
    if (room < need) {
      checks.push({ ...base, status: 'fail', detail: `Not enough space for ${t.target} on ${x.hostName}: the snapshot holds ${need} bytes of files (${formatBytes(need)}), the volume's filesystem would have ${room} (${formatBytes(room)}) ${kept ? 'beside the safety copy' : 'once cleared'}.` });
    } else {
      checks.push({ ...base, status: 'pass', detail: kept ? `${formatBytes(room)} free beside ${t.target} and its safety copy, ${formatBytes(need)} needed.` : `${formatBytes(room)} once ${t.target} is cleared, ${formatBytes(need)} needed.` });
    }
  }
  // New volumes live on the Docker data root: measured through any existing volume of the host.
  if (newVolumes.length) {
    const base = { id: 'free-space', title: `Free space for ${newVolumes.join(', ')}` };
    const space = await dataRootSpace(x);
    if (!space) checks.push({ ...base, status: 'warn', detail: `Free space on ${x.hostName}'s Docker data root could not be measured (no volume to measure it through).` });
    else if (space.availableBytes < newBytes) {
      checks.push({ ...base, status: 'fail', detail: `Not enough space on ${x.hostName}'s Docker data root: ${formatBytes(newBytes)} to write, ${formatBytes(space.availableBytes)} free.` });
    } else checks.push({ ...base, status: 'pass', detail: `${formatBytes(space.availableBytes)} free on ${x.hostName}'s Docker data root${space.byAgent ? ' (measured by its agent)' : ''}, ${formatBytes(newBytes)} to write.` });
  }
  if (x.safetyCopy && x.safetyOnHost && toCopy > 0 && hostFree !== undefined) {
    // Checked where the copies go: a copy that does not fit would fail before the restore, but after minutes of copying.
    const base = { id: 'safety-space', title: 'Room for the safety copies' };
    checks.push(
      hostFree < toCopy
        ? { ...base, status: 'fail', detail: `The safety copies (${formatBytes(toCopy)}) do not fit on ${x.hostName}'s disk (${formatBytes(hostFree)} free), where they are kept. Free space, or restore without a safety copy.` }
        : { ...base, status: 'pass', detail: `${formatBytes(hostFree)} free on ${x.hostName} for ${formatBytes(toCopy)} of safety copies, kept on the host.` },
    );
  }
  if (x.safetyCopy && x.safetyOnHost) checks.push(...(await agentCopiesRoom(x, hostFree)));
  if (x.safetyCopy && !x.safetyOnHost && toCopy > 0) {
    const base = { id: 'safety-space', title: 'Room for the safety copies' };
    try {
      const st = await fsp.statfs(x.configDir);
      const free = st.bavail * st.bsize;
      checks.push(
        free < toCopy
          ? { ...base, status: 'warn', detail: `The safety copies (up to ${formatBytes(toCopy)} before compression) may not fit in ${x.configDir} (${formatBytes(free)} free).` }
          : { ...base, status: 'pass', detail: `${formatBytes(free)} free in ${x.configDir} for up to ${formatBytes(toCopy)} of safety copies.` },
      );
    } catch {
      checks.push({ ...base, status: 'warn', detail: `Free space in ${x.configDir} could not be measured.` });
    }
  }
  return checks;
}

/** The message refusing a run when an interrupted operation left one of its targets behind. */
export async function interruptedClash(configDir: string, active: Set<string>, hostId: string, plan: { targets: ReadonlyArray<Pick<RestorePlan['targets'][number], 'target' | 'targetKind'>> }): Promise<string | undefined> {
  for (const j of await listJournals(configDir)) {
    if (!isInterrupted(j, active) || j.targetHostId !== hostId) continue;
    const clash = j.targets.find((jt) => plan.targets.some((t) => t.target === jt.target && (t.targetKind === 'volume') === (jt.kind === 'volume')));
    if (clash) return `Operation ${j.id} was interrupted on ${clash.target}; roll it back first (hindsight operations rollback ${j.id}).`;
  }
  return undefined;
}

/** Who holds the per-target locks of a plan: one "lock" check. */
export async function lockCheck(locks: TargetLocks, engineId: string, plan: RestorePlan): Promise<PreflightCheck> {
  const held: string[] = [];
  for (const t of plan.targets) {
    const holder = await locks.holder({ engineId, kind: t.targetKind, name: t.target });
    if (holder) held.push(`the ${t.targetKind} ${t.target} is in use by operation ${holder}`);
  }
  return held.length
    ? { id: 'lock', title: 'No other operation on the targets', status: 'fail', detail: `${held.join('; ')}. Try again when it has finished.` }
    : { id: 'lock', title: 'No other operation on the targets', status: 'pass', detail: 'No other operation is using the targets.' };
}

/** The first failed check as the refusal the runner throws. */
export function refusalOf(checks: PreflightCheck[]): RpcError | undefined {
  const failed = checks.find((c) => c.status === 'fail');
  return failed ? new RpcError('CONFLICT', failed.detail) : undefined;
}

/** A volume to measure the Docker data root through (for new volumes): a plain local one, never a tmpfs. */
export function dataRootProbe(inventory: TargetInventory): string | undefined {
  return inventory.volumes.find((v) => v.dataRoot)?.name;
}
