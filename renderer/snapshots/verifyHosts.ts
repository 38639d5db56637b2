/**
 * Which host a "Verify now" should run on. A verify restores each database source into a throwaway
 * container made from the image of a container of the same kind already on that host (an image a
 * snapshot names is never started: restore/verify.ts), so a host without one cannot check those
 * sources. The hosts' inventories say which containers run which database (Container.databaseKind).
 */
import type { Host, Inventory, SourceKind } from '../../shared/contract/index.js';
import { SOURCE_KINDS, traitsOf } from '../../shared/contract/source-kinds.js';
import { listWords } from '../app/format';

/** The database kinds among a snapshot's sources, each once. */
export function databaseKindsOf(sources: readonly { kind: string }[]): SourceKind[] {
  return [...new Set(sources.map((s) => s.kind).filter((k) => traitsOf(k)?.holds === 'databases'))] as SourceKind[];
}

/** The kinds a host has no container of; null while its inventory is not known. */
export function missingOn(inventory: Inventory | null | undefined, kinds: readonly SourceKind[]): SourceKind[] | null {
  if (!kinds.length) return [];
  if (!inventory) return null;
  return kinds.filter((k) => !inventory.containers.some((c) => c.databaseKind === k));
}

/** "PostgreSQL and MariaDB/MySQL". */
export function kindNames(kinds: readonly SourceKind[]): string {
  return listWords(kinds.map((k) => SOURCE_KINDS[k].label));
}

/**
 * Where to verify by default: never a protected host before one that is not; among those, one that
 * can check every source first; then UAT, science, another host, the snapshot's own host. (The
 * dialog names what each host lacks, so a protected host that could is one click away.)
 */
export function defaultVerifyHost(hosts: readonly Host[], sourceHostId: string, missing: (hostId: string) => SourceKind[] | null = () => []): string {
  const byRole = (h: Host) => (h.role === 'uat' ? 0 : h.role === 'science' ? 1 : h.id === sourceHostId ? 3 : 2);
  const rank = (h: Host) => (h.protected ? 100 : 0) + (missing(h.id)?.length ? 10 : 0) + byRole(h);
  return [...hosts].sort((a, b) => rank(a) - rank(b))[0]?.id ?? sourceHostId;
}
