/**
 * The restore planner (ARCHITECTURE §6 step 1): a pure function of the manifest, the target host,
 * the mapping and the target's inventory. It decides what goes where, the ordered steps, the shell
 * commands a person could type to do the same by hand, the bytes to move and an estimate. Nothing
 * here touches the network: `restore.plan` (the dry run) is exactly this.
 */
import type { ChainLink, Manifest, ManifestSource } from '../../../shared/contract/snapshots.js';
import { levelsOf } from '../../../shared/levels.js';
import type { PlanStep, PlanTarget, RestorePlan } from '../../../shared/contract/restore.js';
import { SOURCE_KINDS } from '../../../shared/contract/source-kinds.js';
import { normalDirectory, restorePathProblem } from '../../../shared/restore-paths.js';
import { kindOf } from '../kinds/registry.js';
import type { PlanContext } from '../kinds/kind-module.js';
import { decodeCommand, onHost, sh } from '../kinds/shell.js';

export { decodeCommand, sh } from '../kinds/shell.js';
export { pgTable } from '../kinds/postgres/index.js';
export { mariadbIdent } from '../kinds/mariadb/index.js';

/**
 * Throughput assumed for the estimate: 40 MiB/s end to end. Restores relay the data through the
 * desktop's SSH tunnel (repository → backend → target engine); the pipeline itself does several
 * hundred MiB/s (pipeline/README.md), so the SSH channel and the engine's tar extraction dominate.
 * A deliberately conservative round figure, for an order of magnitude only.
 */
export const ESTIMATE_BYTES_PER_SECOND = 40 * 1024 * 1024;
/** Fixed costs in the estimate: per target (helper containers, inspections), per container stopped and started. */
export const ESTIMATE_SECONDS_PER_TARGET = 3;
export const ESTIMATE_SECONDS_PER_USER = 5;

export interface InventoryContainer {
  name: string;
  state: string;
  image: string;
  /** Names of the volumes it mounts. */
  volumes: string[];
}

export interface TargetInventory {
  /**
   * `dataRoot`: a plain local volume, i.e. a directory under the Docker data root — what a new volume
   * will be too, so free space for new volumes is measured through one of these (never through a
   * tmpfs or bind-backed volume, whose free space says nothing about the data root).
   */
  volumes: Array<{ name: string; sizeBytes: number | null; dataRoot?: boolean }>;
  containers: InventoryContainer[];
}

export interface PlanInput {
  manifest: Manifest;
  repositoryId: string;
  target: { id: string; name: string; protected: boolean; /** "user@address -p port" for the commands, absent for the local engine */ ssh?: string };
  map: Record<string, string>;
  /** Directory sources: where to restore in the target container (default: where it came from). */
  paths?: Record<string, string> | undefined;
  sources?: string[] | undefined;
  safetyCopy: boolean;
  confirm?: string | undefined;
  inventory: TargetInventory;
  /** The helper image named in the equivalent commands (default busybox). */
  helperImage?: string;
  /** Volumes' safety copies are kept on the host (its agent runs, host-safety.ts), not on this computer. */
  safetyOnHost?: boolean | undefined;
  /** The target host runs the agent: levels of incremental chains can be extracted there (GNU tar). */
  agentOnTarget?: boolean | undefined;
  /** Sources whose incremental chain misses a level in the repository, and why (restore-levels.ts). */
  brokenChains?: Record<string, string> | undefined;
}

function targetFor(src: ManifestSource, map: Record<string, string>): { targetKind: 'volume' | 'container'; target: string | undefined } {
  const targetKind = SOURCE_KINDS[src.kind].target;
  return { targetKind, target: map[src.name] ?? (targetKind === 'volume' ? src.origin.volume : src.origin.container) };
}

/** A source's bytes to read: its own object's, or all its chain's levels' too. */
function sum(links: ChainLink[], key: 'storedBytes' | 'rawBytes'): number {
  return links.reduce((n, l) => n + l[key], 0);
}

/** Why a level of an incremental chain cannot be restored here: a level missing, or no agent on the target to extract it. */
function levelsRefusal(src: ManifestSource, input: PlanInput): string | undefined {
  if (!src.incremental || src.incremental.level === 0) return undefined;
  const broken = input.brokenChains?.[src.name];
  if (broken) return broken;
  if (input.agentOnTarget) return undefined;
  return `Source ${src.name} is level ${src.incremental.level} of an incremental backup: its levels are extracted by GNU tar on the target host's agent, which ${input.target.name} does not run. Install it (Hosts → ${input.target.name} → Install agent, or hindsight agent install ${input.target.name}), or restore by hand with the plan's commands.`;
}

/** Plain-words refusal when a protected host was not confirmed by its exact name; undefined when fine. */
export function protectedRefusal(target: { name: string; protected: boolean }, confirm: string | undefined): string | undefined {
  if (!target.protected) return undefined;
  if (confirm === target.name) return undefined;
  return confirm
    ? `Host ${target.name} is protected and the confirmation "${confirm}" does not match its name; nothing was done.`
    : `Host ${target.name} is protected: type its name to confirm (CLI: --confirm ${target.name}); nothing was done.`;
}

export function planRestore(input: PlanInput): RestorePlan {
  const { manifest, target, inventory } = input;
  const helper = input.helperImage ?? 'busybox';
  const warnings: string[] = [];
  const blockers: string[] = [];
  const byName = new Map(manifest.sources.map((s) => [s.name, s]));

  for (const name of [...Object.keys(input.map), ...(input.sources ?? [])]) {
    if (!byName.has(name)) blockers.push(`Snapshot ${manifest.id} has no source "${name}" (it has: ${manifest.sources.map((s) => s.name).join(', ')}).`);
  }
  const chosen = input.sources?.length ? manifest.sources.filter((s) => input.sources!.includes(s.name)) : manifest.sources;

  const refusal = protectedRefusal(target, input.confirm);
  if (refusal) blockers.push(refusal);
  else if (target.protected) warnings.push(`Host ${target.name} is protected; confirmed by name.`);

  const targets: PlanTarget[] = [];
  const steps: PlanStep[] = [];
  let safetyBytes = 0;
  const seen = new Set<string>();
  for (const src of chosen) {
    const { targetKind, target: name } = targetFor(src, input.map);
    const planning = kindOf(src.kind).planning;
    const refused = planning.notRestorable(src) ?? levelsRefusal(src, input);
    if (refused) {
      blockers.push(refused);
      continue;
    }
    if (!name) {
      blockers.push(`Source ${src.name}: the manifest names no ${targetKind}; give one with --map ${src.name}=<${targetKind}>.`);
      continue;
    }
    if (seen.has(`${targetKind}:${name}`)) blockers.push(`Two sources would be restored into the same ${targetKind} ${name}.`);
    seen.add(`${targetKind}:${name}`);
    const formatProblem = planning.formatProblem(src);
    if (formatProblem) {
      blockers.push(formatProblem);
      continue;
    }
    const dir = planning.targetPath?.(src, input.paths);
    if (planning.targetPath) {
      if (!dir) {
        blockers.push(`Source ${src.name}: the manifest names no directory to restore into; give one with --path ${src.name}=/dir.`);
        continue;
      }
      const problem = restorePathProblem(dir);
      if (problem) {
        blockers.push(`Source ${src.name}: ${problem}`);
        continue;
      }
    }

    let create = false;
    let users: Array<{ name: string; state: string }> = [];
    if (targetKind === 'volume') {
      const vol = inventory.volumes.find((v) => v.name === name);
      create = !vol;
      users = inventory.containers.filter((c) => c.volumes.includes(name)).map((c) => ({ name: c.name, state: c.state }));
      if (vol && input.safetyCopy) safetyBytes += vol.sizeBytes ?? src.rawBytes;
    } else {
      const c = inventory.containers.find((x) => x.name === name);
      if (!c) blockers.push(`Source ${src.name}: there is no container ${name} on ${target.name} to ${planning.containerUse({ path: dir })}.`);
      else if (c.state !== 'running') blockers.push(`Source ${src.name}: container ${name} on ${target.name} is ${c.state}; ${planning.notRunning({ path: dir })}.`);
      if (input.safetyCopy) safetyBytes += src.rawBytes;
    }
    targets.push({ source: src.name, kind: src.kind, targetKind, target: name, ...(dir !== undefined ? { path: normalDirectory(dir) } : {}), create, users, objectKey: src.objectKey, storedBytes: sum(levelsOf(src), 'storedBytes'), rawBytes: sum(levelsOf(src), 'rawBytes') });
  }
  if (targets.length === 0 && blockers.length === 0) blockers.push('Nothing to restore.');

  // Steps, in order, each with its commands; what differs by kind comes from its module (kinds/).
  const ssh = target.ssh;
  const ctx: PlanContext = { ssh, helper, keptOnHost: !!input.safetyOnHost };
  const planningOf = (t: PlanTarget) => ({ src: byName.get(t.source)!, planning: kindOf(t.kind).planning });
  steps.push({
    kind: 'preflight',
    description: `Check ${target.name}: reachable, who uses each target, free space, versions, no other operation on the targets`,
    commands: [onHost(ssh, 'docker version --format {{.Server.Version}}'), onHost(ssh, 'docker system df -v'), ...targets.map((t) => onHost(ssh, planningOf(t).planning.preflightCommand(t)))],
  });
  const allUsers = [...new Set(targets.flatMap((t) => t.users.map((u) => u.name)))];
  const running = [...new Set(targets.flatMap((t) => t.users.filter((u) => u.state === 'running' || u.state === 'paused' || u.state === 'restarting').map((u) => u.name)))];
  if (allUsers.length) {
    steps.push({
      kind: 'stop-users',
      description: `Stop the containers using the targets (${allUsers.join(', ')}), remembering their state`,
      commands: running.length ? [onHost(ssh, `docker stop ${running.map(sh).join(' ')}`)] : [],
    });
  }
  if (input.safetyCopy) {
    for (const t of targets) {
      if (t.targetKind === 'volume' && t.create) continue;
      const { src, planning } = planningOf(t);
      steps.push({ kind: 'safety-copy', source: t.source, description: planning.safetyDescription(t, ctx.keptOnHost), commands: [planning.safetyCommand(src, t, ctx)] });
    }
  }
  for (const t of targets) {
    const { src, planning } = planningOf(t);
    steps.push({ kind: 'restore', source: t.source, description: planning.restoreDescription(src, t), commands: [planning.restoreCommand(src, t, ctx)] });
  }
  for (const t of targets) {
    const { src, planning } = planningOf(t);
    const commands = [`sha256sum ${sh(src.objectKey)}   # stored: ${src.storedSha256}`, `${decodeCommand(src)} | sha256sum   # raw: ${src.rawSha256}`, ...planning.verifyCommands(src, t, ctx)];
    steps.push({ kind: 'verify', source: t.source, description: `Check ${t.target} against the manifest (checksums, files/bytes or row counts)`, commands });
  }
  if (running.length) {
    steps.push({ kind: 'restart', description: `Start ${running.join(', ')} again, in their former state`, commands: [onHost(ssh, `docker start ${running.map(sh).join(' ')}`)] });
  }

  const readBytes = targets.reduce((n, t) => n + t.storedBytes, 0);
  const bytes = readBytes + safetyBytes;
  const estimatedSeconds = Math.ceil(bytes / ESTIMATE_BYTES_PER_SECOND + targets.length * ESTIMATE_SECONDS_PER_TARGET + allUsers.length * ESTIMATE_SECONDS_PER_USER);
  if (!input.safetyCopy) warnings.push('No safety copy: a failure cannot be rolled back to what the targets hold now.');
  for (const t of targets) if (t.create) warnings.push(`Volume ${t.target} does not exist on ${target.name}; it will be created.`);

  return {
    snapshotId: manifest.id,
    repositoryId: input.repositoryId,
    targetHost: { id: target.id, name: target.name, protected: target.protected },
    targets,
    steps,
    bytes,
    estimatedSeconds,
    warnings,
    blockers,
    safetyCopy: input.safetyCopy,
  };
}
