/**
 * Pure mapping from the engine's answers (container list, volume list, system df) to the contract's
 * Inventory: containers, volumes with who uses them, and compose stacks.
 */
import type { Container, ContainerState, Inventory, Stack, Volume } from '../../../shared/contract/inventory.js';
import type { SourceKind } from '../../../shared/contract/snapshots.js';

/** Which database server a container runs (backup/discover.ts): given by the caller, so this file stays pure. */
export type DatabaseKindOf = (raw: RawContainer) => SourceKind | undefined;

export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';

/** The subset of GET /containers/json we use. */
export interface RawContainer {
  Id: string;
  Names?: string[] | null;
  Image: string;
  Command?: string;
  State: string;
  Status: string;
  Created: number;
  Labels?: Record<string, string> | null;
  Mounts?: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }> | null;
}

/** The subset of GET /volumes we use. */
export interface RawVolume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Labels?: Record<string, string> | null;
  CreatedAt?: string;
  UsageData?: { Size: number; RefCount: number } | null;
}

const STATES: readonly string[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

export function containerState(raw: string): ContainerState {
  const s = raw.toLowerCase();
  // An engine newer than this code might invent a state; "exited" is the least surprising reading.
  return (STATES.includes(s) ? s : 'exited') as ContainerState;
}

/** Health as shown in the status line: "Up 3 minutes (healthy)", "(health: starting)". */
export function healthFromStatus(status: string): Container['health'] {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!m) return null;
  return m[1] === 'health: starting' ? 'starting' : (m[1] as 'healthy' | 'unhealthy');
}

export function containerName(raw: Pick<RawContainer, 'Names' | 'Id'>): string {
  // Names carry a leading slash; legacy links add "/other/alias" entries — the real name has one slash.
  const names = raw.Names ?? [];
  const own = names.find((n) => n.lastIndexOf('/') === 0) ?? names[0];
  return own ? own.replace(/^\//, '') : raw.Id.slice(0, 12);
}

export function mapContainer(hostId: string, raw: RawContainer, databaseKindOf: DatabaseKindOf = () => undefined): Container {
  const labels = raw.Labels ?? {};
  return {
    hostId,
    id: raw.Id,
    name: containerName(raw),
    image: raw.Image,
    state: containerState(raw.State),
    status: raw.Status,
    health: healthFromStatus(raw.Status),
    project: labels[PROJECT_LABEL] ?? null,
    service: labels[SERVICE_LABEL] ?? null,
    createdAt: new Date(raw.Created * 1000).toISOString(),
    mounts: (raw.Mounts ?? []).map((m) => ({
      type: m.Type,
      name: m.Type === 'volume' ? (m.Name ?? null) : null,
      source: m.Source,
      destination: m.Destination,
      readOnly: !m.RW,
    })),
    databaseKind: databaseKindOf(raw) ?? null,
  };
}

/**
 * Volumes with their users and size. `sizes` comes from system df (volume name → bytes); Docker
 * reports -1 when it has not computed a size, which we show as unknown (null).
 */
export function mapVolumes(hostId: string, raw: RawVolume[], containers: Container[], sizes: Map<string, number>): Volume[] {
  const users = new Map<string, string[]>();
  for (const c of containers) {
    for (const m of c.mounts) {
      if (m.type !== 'volume' || !m.name) continue;
      const list = users.get(m.name) ?? [];
      if (!list.includes(c.name)) list.push(c.name);
      users.set(m.name, list);
    }
  }
  return raw
    .map((v) => {
      const size = sizes.get(v.Name) ?? v.UsageData?.Size;
      return {
        hostId,
        name: v.Name,
        driver: v.Driver,
        mountpoint: v.Mountpoint,
        sizeBytes: typeof size === 'number' && size >= 0 ? size : null,
        usedBy: (users.get(v.Name) ?? []).sort(),
        project: v.Labels?.[PROJECT_LABEL] ?? null,
        createdAt: v.CreatedAt ?? null,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Compose projects (by label), then the pseudo-stack of loose containers (name null) if any. */
export function groupStacks(hostId: string, containers: Container[], volumes: Volume[]): Stack[] {
  const byProject = new Map<string | null, { containerIds: string[]; volumeNames: Set<string> }>();
  const entry = (name: string | null) => {
    let e = byProject.get(name);
    if (!e) byProject.set(name, (e = { containerIds: [], volumeNames: new Set() }));
    return e;
  };
  for (const c of containers) {
    const e = entry(c.project);
    e.containerIds.push(c.id);
    for (const m of c.mounts) if (m.type === 'volume' && m.name) e.volumeNames.add(m.name);
  }
  // A project's volumes also count when no container of it exists right now (e.g. after `down`).
  for (const v of volumes) if (v.project) entry(v.project).volumeNames.add(v.name);
  const named = [...byProject.keys()].filter((k): k is string => k !== null).sort();
  const order: (string | null)[] = byProject.has(null) ? [...named, null] : named;
  return order.map((name) => {
    const e = byProject.get(name)!;
    return { hostId, name, containerIds: e.containerIds, volumeNames: [...e.volumeNames].sort() };
  });
}

export function buildInventory(
  hostId: string,
  rawContainers: RawContainer[],
  rawVolumes: RawVolume[],
  sizes: Map<string, number>,
  now = new Date(),
  databaseKindOf?: DatabaseKindOf,
): Inventory {
  const containers = rawContainers.map((c) => mapContainer(hostId, c, databaseKindOf)).sort((a, b) => a.name.localeCompare(b.name));
  const volumes = mapVolumes(hostId, rawVolumes, containers, sizes);
  return { hostId, containers, volumes, stacks: groupStacks(hostId, containers, volumes), fetchedAt: now.toISOString() };
}
