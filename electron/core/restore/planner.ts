/**
 * The restore planner (ARCHITECTURE §6 step 1): a pure function of the manifest, the target host,
 * the mapping and the target's inventory. It decides what goes where, the ordered steps, the shell
 * commands a person could type to do the same by hand, the bytes to move and an estimate. Nothing
 * here touches the network: `restore.plan` (the dry run) is exactly this.
 */
import type { Manifest, ManifestSource } from '../../../shared/contract/snapshots.js';
import type { PlanStep, PlanTarget, RestorePlan } from '../../../shared/contract/restore.js';
import { normalDirectory, restorePathProblem } from '../../../shared/restore-paths.js';
import { dbnameConninfo, sqlIdentifier } from '../sources/commands.js';

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

/** The kinds this version restores. */
export const RESTORABLE_KINDS = ['volume', 'postgres', 'mariadb', 'directory'] as const;

/** Why a kind is not restored (MongoDB: no lab to test it in — it is not in Debian's archive). */
function unsupportedReason(src: ManifestSource): string {
  if (src.kind === 'mongo') {
    return `Source ${src.name} is a MongoDB backup; this version does not restore MongoDB (its restore cannot be tested here: MongoDB is not in Debian's archive). Restore it by hand: ${decodeCommand(src)} | docker exec -i <container> mongorestore --archive --drop.`;
  }
  return `Source ${src.name} is a ${src.kind} backup, which this version does not restore.`;
}

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
}

/** POSIX shell quoting: bare when safe, else single quotes. */
export function sh(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A manifest's row-count key ("table", or "schema.table" outside public) as a quoted SQL name. */
export function pgTable(key: string): string {
  const dot = key.indexOf('.');
  return dot === -1 ? sqlIdentifier(key) : `${sqlIdentifier(key.slice(0, dot))}.${sqlIdentifier(key.slice(dot + 1))}`;
}

export function mariadbIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** The `ssh …` prefix for a command on the target host ('' for the local engine). */
function onHost(ssh: string | undefined, cmd: string): string {
  return ssh ? `ssh ${ssh} ${sh(cmd)}` : cmd;
}

/** Reads the stored object and undoes encryption and compression: the left half of every restore pipe. */
export function decodeCommand(src: Pick<ManifestSource, 'objectKey' | 'compression' | 'encryption'>): string {
  const parts = [src.encryption === 'none' ? `cat ${sh(src.objectKey)}` : src.encryption === 'age-recipients' ? `age -d -i key.txt ${sh(src.objectKey)}` : `age -d ${sh(src.objectKey)}`];
  parts.push(src.compression === 'zstd' ? 'zstd -d' : 'gzip -d');
  return parts.join(' | ');
}

function targetFor(src: ManifestSource, map: Record<string, string>): { targetKind: 'volume' | 'container'; target: string | undefined } {
  if (src.kind === 'volume') return { targetKind: 'volume', target: map[src.name] ?? src.origin.volume };
  return { targetKind: 'container', target: map[src.name] ?? src.origin.container };
}

/** The pre-flight command shown for a container target (what the runner checks there). */
function preflightCommand(src: ManifestSource, { target, path }: PlanTarget): string {
  if (src.kind === 'mariadb') return `docker exec ${sh(target)} mariadb --version`;
  if (src.kind === 'directory') return `docker exec ${sh(target)} ls -ld ${sh(path ?? '/')}`;
  return `docker exec ${sh(target)} postgres --version`;
}

function safetyDescription(src: ManifestSource, { target, path }: PlanTarget, onHost: boolean): string {
  // Databases' and directories' copies kept on the host are files in its agent's state (agent-safety.ts).
  const where = onHost ? ' into a file kept on the host by its agent (never sent here)' : ' aside';
  switch (src.kind) {
    case 'volume':
      return onHost ? `Copy volume ${target} into a new volume on the host (kept there, never sent here) before it is overwritten` : `Copy volume ${target} aside (tar, zstd) before it is overwritten`;
    case 'directory':
      return `Copy ${path} of ${target}${where} (tar, zstd) before it is overwritten`;
    case 'mariadb':
      return `Dump every database of ${target}${where} (mariadb-dump, zstd) and list its databases before it is overwritten`;
    default:
      return `Dump every database of ${target}${where} (pg_dumpall, zstd) and list its databases before it is overwritten`;
  }
}

function safetyCommand(src: ManifestSource, { target, path }: PlanTarget, ssh: string | undefined, helper: string, keptOnHost: boolean): string {
  const file = (ext: string) => sh(`safety/${src.name}.${ext}.zst`);
  // Kept on the host: the same command with the file written there (the agent writes it into its state volume).
  const into = (produce: string, ext: string) => (keptOnHost ? onHost(ssh, `${produce} | zstd > ${file(ext)}`) : `${onHost(ssh, produce)} | zstd > ${file(ext)}`);
  switch (src.kind) {
    case 'volume':
      if (keptOnHost) {
        const copy = `hindsight-safety-${target}`;
        return onHost(ssh, `docker volume create ${sh(copy)} && docker run --rm -v ${sh(`${target}:/from:ro`)} -v ${sh(`${copy}:/to`)} hindsight/agent sh -c ${sh('tar -C /from -cf - --numeric-owner --xattrs --sparse . | tar -C /to -xpf - --numeric-owner --xattrs')}`);
      }
      return `${onHost(ssh, `docker run --rm -v ${sh(`${target}:/v:ro`)} ${helper} tar -C /v -cf - .`)} | zstd > ${file('tar')}`;
    case 'directory':
      return into(`docker cp ${sh(`${target}:${path ?? ''}/.`)} -`, 'tar');
    case 'mariadb':
      return into(`docker exec ${sh(target)} sh -c ${sh('mariadb-dump --user=root --password="$MARIADB_ROOT_PASSWORD" --all-databases --single-transaction --routines --events --triggers')}`, 'sql');
    default:
      return into(`docker exec ${sh(target)} pg_dumpall -U postgres --clean --if-exists`, 'sql');
  }
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
    if (!(RESTORABLE_KINDS as readonly string[]).includes(src.kind)) {
      blockers.push(unsupportedReason(src));
      continue;
    }
    if (!name) {
      blockers.push(`Source ${src.name}: the manifest names no ${targetKind}; give one with --map ${src.name}=<${targetKind}>.`);
      continue;
    }
    if (seen.has(`${targetKind}:${name}`)) blockers.push(`Two sources would be restored into the same ${targetKind} ${name}.`);
    seen.add(`${targetKind}:${name}`);
    if (src.kind === 'postgres' && src.format !== 'sql' && src.format !== 'pg-custom') {
      blockers.push(`Source ${src.name}: unexpected format ${src.format} for PostgreSQL.`);
      continue;
    }
    if ((src.kind === 'mariadb' && src.format !== 'sql') || (src.kind === 'directory' && src.format !== 'tar')) {
      blockers.push(`Source ${src.name}: unexpected format ${src.format} for a ${src.kind} source.`);
      continue;
    }
    const dir = src.kind === 'directory' ? (input.paths?.[src.name] ?? src.origin.path) : undefined;
    if (src.kind === 'directory') {
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
      const what = src.kind === 'directory' ? `restore ${dir} into` : 'restore the database into';
      if (!c) blockers.push(`Source ${src.name}: there is no container ${name} on ${target.name} to ${what}.`);
      else if (c.state !== 'running') {
        blockers.push(
          src.kind === 'directory'
            ? `Source ${src.name}: container ${name} on ${target.name} is ${c.state}; it must be running to clear ${dir} before extracting.`
            : `Source ${src.name}: container ${name} on ${target.name} is ${c.state}; the database must be running to load a dump.`,
        );
      }
      if (input.safetyCopy) safetyBytes += src.rawBytes;
    }
    targets.push({ source: src.name, kind: src.kind, targetKind, target: name, ...(dir !== undefined ? { path: normalDirectory(dir) } : {}), create, users, objectKey: src.objectKey, storedBytes: src.storedBytes, rawBytes: src.rawBytes });
  }
  if (targets.length === 0 && blockers.length === 0) blockers.push('Nothing to restore.');

  // Steps, in order, each with its commands.
  const ssh = target.ssh;
  steps.push({
    kind: 'preflight',
    description: `Check ${target.name}: reachable, who uses each target, free space, versions, no other operation on the targets`,
    commands: [
      onHost(ssh, 'docker version --format {{.Server.Version}}'),
      onHost(ssh, 'docker system df -v'),
      ...targets.map((t) =>
        t.targetKind === 'volume'
          ? onHost(ssh, `docker ps -a --filter volume=${sh(t.target)} --format '{{.Names}} {{.State}}'`)
          : onHost(ssh, preflightCommand(byName.get(t.source)!, t)),
      ),
    ],
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
      steps.push({
        kind: 'safety-copy',
        source: t.source,
        description: safetyDescription(byName.get(t.source)!, t, !!input.safetyOnHost),
        commands: [safetyCommand(byName.get(t.source)!, t, ssh, helper, !!input.safetyOnHost)],
      });
    }
  }
  for (const t of targets) {
    const src = byName.get(t.source)!;
    const decode = decodeCommand(src);
    let cmd: string;
    if (t.targetKind === 'volume') {
      cmd = `${decode} | ${onHost(ssh, `${t.create ? `docker volume create ${sh(t.target)} && ` : ''}docker run --rm -i -v ${sh(`${t.target}:/v`)} ${helper} sh -c ${sh('find /v -mindepth 1 -maxdepth 1 -exec rm -rf {} + && tar -C /v -xpf -')}`)}`;
    } else if (src.kind === 'directory') {
      const dir = t.path!;
      cmd = `${decode} | ${onHost(ssh, `docker exec -i ${sh(t.target)} sh -c ${sh(`find ${sh(dir)} -mindepth 1 -maxdepth 1 -exec rm -rf {} + ; mkdir -p ${sh(dir)} && tar -C ${sh(dir)} -xpf -`)}`)}`;
    } else if (src.kind === 'mariadb') {
      cmd = `${decode} | ${onHost(ssh, `docker exec -i ${sh(t.target)} sh -c ${sh('mariadb --user=root --password="$MARIADB_ROOT_PASSWORD"')}`)}`;
    } else if (src.format === 'sql') {
      cmd = `${decode} | ${onHost(ssh, `docker exec -i ${sh(t.target)} psql -X -U postgres -d postgres`)}`;
    } else {
      const db = src.origin.database ?? 'postgres';
      cmd = `${decode} | ${onHost(ssh, `docker exec -i ${sh(t.target)} pg_restore -U postgres -d ${sh(dbnameConninfo(db))} --clean --if-exists --single-transaction`)}`;
    }
    steps.push({
      kind: 'restore',
      source: t.source,
      description:
        t.targetKind === 'volume'
          ? `${t.create ? 'Create' : 'Clear'} volume ${t.target} and extract ${src.name} (${src.storedBytes} bytes stored) through the tar guard`
          : src.kind === 'directory'
            ? `Clear ${t.path} in ${t.target} and extract ${src.name} (${src.storedBytes} bytes stored) through the tar guard`
            : `Load the dump of ${src.name} into ${t.target} through its own client`,
      commands: [cmd],
    });
  }
  for (const t of targets) {
    const src = byName.get(t.source)!;
    const commands = [`sha256sum ${sh(src.objectKey)}   # stored: ${src.storedSha256}`, `${decodeCommand(src)} | sha256sum   # raw: ${src.rawSha256}`];
    if (t.targetKind === 'volume' && src.fileCount !== undefined) {
      commands.push(`${onHost(ssh, `docker run --rm -v ${sh(`${t.target}:/v:ro`)} ${helper} sh -c ${sh('cd /v && find . | wc -l')}`)}   # entries: ${src.fileCount}`);
    }
    if (src.kind === 'directory' && src.fileCount !== undefined) {
      commands.push(`${onHost(ssh, `docker exec ${sh(t.target)} sh -c ${sh(`cd ${sh(t.path!)} && find . | wc -l`)}`)}   # entries: ${src.fileCount}`);
    }
    if (src.kind === 'mariadb') {
      for (const [db, tables] of Object.entries(src.databaseRowCounts ?? {})) {
        commands.push(
          ...Object.entries(tables).map(
            ([table, n]) => onHost(ssh, `docker exec ${sh(t.target)} sh -c ${sh(`mariadb --user=root --password="$MARIADB_ROOT_PASSWORD" -N -e ${sh(`SELECT COUNT(*) FROM ${mariadbIdent(db)}.${mariadbIdent(table)}`)}`)}`) + `   # ${n}`,
          ),
        );
      }
    }
    if (src.kind === 'postgres') {
      const expected: Record<string, Record<string, number>> = { ...(src.databaseRowCounts ?? {}) };
      if (src.rowCounts) expected[src.origin.database ?? 'postgres'] = src.rowCounts;
      for (const [db, tables] of Object.entries(expected)) {
        commands.push(
          ...Object.entries(tables).map(([table, n]) => onHost(ssh, `docker exec ${sh(t.target)} psql -U postgres -d ${sh(dbnameConninfo(db))} -Atc ${sh(`SELECT count(*) FROM ${pgTable(table)}`)}`) + `   # ${n}`),
        );
      }
    }
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
