/**
 * backup.discover: what on a host is worth backing up, from its containers and volumes (one list
 * call each). Database containers are recognised by image (or command): PostgreSQL → a dumpall,
 * MariaDB/MySQL → a dump, MongoDB → an archive. A database's data volume is offered but not
 * recommended: a copy of a running database's files is not consistent, its dump is. Every other
 * named volume in use is recommended. The decision logic is pure (`discoverSources`).
 */
import type { DiscoveredSource } from '../../../shared/contract/backup.js';
import type { SourceKind } from '../../../shared/contract/snapshots.js';
import type { Engine } from '../docker/engine.js';
import { discoverableKinds } from '../kinds/registry.js';

export interface SeenContainer {
  name: string;
  image: string;
  command: string;
  state: string;
  labels: Record<string, string>;
  /** Names of the named volumes it mounts, with where. */
  mounts: Array<{ volume: string; destination: string }>;
}

export interface SeenVolume {
  name: string;
  labels: Record<string, string>;
}

const STACK_LABEL = 'com.docker.compose.project';

/**
 * The database an image (or, failing that, a command) runs, if any: each database kind's module
 * says how to recognise its server (kinds/), every image before any command.
 */
export function databaseKind(image: string, command: string): SourceKind | undefined {
  return serverIn(image, command)?.kind;
}

function serverIn(image: string, command: string): ReturnType<typeof discoverableKinds>[number] | undefined {
  // "docker.io/library/postgres:16-alpine" → "postgres"; "hindsight-lab/postgres:15" → "postgres".
  const base = image.split('@')[0]!.split('/').pop()!.split(':')[0]!.toLowerCase();
  const kinds = discoverableKinds();
  const cmd = command.toLowerCase();
  return kinds.find((k) => k.discovering.image.test(base)) ?? kinds.find((k) => k.discovering.command.test(cmd));
}

/**
 * Hindsight's own helpers, throwaway verify targets, safety copies kept on a host and the agent
 * (its container and its state volume, which holds repository secrets) are never suggested.
 */
function ours(labels: Record<string, string>, name: string): boolean {
  return (
    labels['org.hindsight.helper'] === 'true' ||
    labels['org.hindsight.verify'] !== undefined ||
    labels['org.hindsight.agent'] !== undefined ||
    labels['org.hindsight.safety-copy'] !== undefined ||
    name.startsWith('hindsight-verify-')
  );
}

const ANONYMOUS = /^[0-9a-f]{64}$/;

export function discoverSources(containers: SeenContainer[], volumes: SeenVolume[], stack?: string): DiscoveredSource[] {
  const live = containers.filter((c) => !ours(c.labels, c.name));
  const out: DiscoveredSource[] = [];
  const dbVolumes = new Map<string, { db: string; container: string }>();

  for (const c of live) {
    const server = serverIn(c.image, c.command)?.discovering;
    if (!server) continue;
    const cStack = c.labels[STACK_LABEL];
    for (const m of c.mounts) dbVolumes.set(m.volume, { db: server.serverName, container: c.name });
    if (stack && cStack !== stack) continue;
    out.push({
      spec: server.specFor(c.name),
      label: server.labelFor(c.name),
      reason: `image ${c.image}${c.state === 'running' ? '' : ` (${c.state}: it must be running to be dumped)`}`,
      ...(cStack ? { stack: cStack } : {}),
      containers: [c.name],
      recommended: true,
    });
  }

  for (const v of volumes) {
    if (ANONYMOUS.test(v.name) || v.labels['com.docker.volume.anonymous'] !== undefined || ours(v.labels, v.name)) continue;
    const users = live.filter((c) => c.mounts.some((m) => m.volume === v.name));
    const vStack = v.labels[STACK_LABEL] ?? users.map((u) => u.labels[STACK_LABEL]).find(Boolean);
    if (stack && vStack !== stack && !users.some((u) => u.labels[STACK_LABEL] === stack)) continue;
    const db = dbVolumes.get(v.name);
    const names = users.map((u) => u.name);
    let reason: string;
    let recommended = true;
    if (db) {
      reason = `data volume of ${db.db} in ${db.container}: backed up through the dump`;
      recommended = false;
    } else if (!users.length) {
      reason = vStack ? `named volume of stack ${vStack}, not used by any container now` : 'named volume, not used by any container';
      recommended = Boolean(vStack);
    } else reason = vStack ? `named volume of stack ${vStack}` : 'named volume';
    out.push({
      spec: { kind: 'volume', volume: v.name },
      label: `volume ${v.name}${names.length ? ` (used by ${names.join(', ')})` : ''}`,
      reason,
      ...(vStack ? { stack: vStack } : {}),
      containers: names,
      recommended,
    });
  }
  // Databases first, then volumes; within each, stacks (by name) before loose ones.
  const rank = (d: DiscoveredSource) => (d.spec.kind === 'volume' ? 2 : 0) + (d.stack === undefined ? 1 : 0);
  return out.sort((a, b) => rank(a) - rank(b) || (a.stack ?? '').localeCompare(b.stack ?? '') || a.label.localeCompare(b.label));
}

export async function discoverOnEngine(engine: Engine, stack?: string, signal?: AbortSignal): Promise<DiscoveredSource[]> {
  await engine.connect();
  const [containers, volumes] = await Promise.all([
    engine.docker.listContainers({ all: true, abortSignal: signal } as object),
    engine.docker.listVolumes({ abortSignal: signal } as object),
  ]);
  const seen: SeenContainer[] = containers.map((c) => ({
    name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
    image: c.Image,
    command: c.Command ?? '',
    state: c.State,
    labels: c.Labels ?? {},
    mounts: (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => ({ volume: m.Name!, destination: m.Destination })),
  }));
  const vols: SeenVolume[] = (volumes.Volumes ?? []).map((v) => ({ name: v.Name, labels: (v.Labels as Record<string, string> | null) ?? {} }));
  return discoverSources(seen, vols, stack);
}
