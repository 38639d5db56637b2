/**
 * What every client (renderer, CLI) and the core know about each source kind, in one table typed
 * over SourceKind (a kind added to the contract does not compile until it has its row). The
 * core's per-kind modules (electron/core/kinds/) build on it; the renderer decides from it how to
 * show a source and where it restores to, never from the kind's name.
 */
import type { SourceKind } from './snapshots.js';

export interface SourceKindTraits {
  /** In words: "Docker volume", "PostgreSQL". */
  label: string;
  /** What it restores into: a volume, or a running container. */
  target: 'volume' | 'container';
  /** What it holds: files (a tar: browsable, file index) or databases (a dump: row counts). */
  holds: 'files' | 'databases';
  /** Restored into a path inside the target container (the user may choose it). */
  intoPath: boolean;
}

export const SOURCE_KINDS: { readonly [K in SourceKind]: SourceKindTraits } = {
  volume: { label: 'Docker volume', target: 'volume', holds: 'files', intoPath: false },
  postgres: { label: 'PostgreSQL', target: 'container', holds: 'databases', intoPath: false },
  mariadb: { label: 'MariaDB/MySQL', target: 'container', holds: 'databases', intoPath: false },
  mongo: { label: 'MongoDB', target: 'container', holds: 'databases', intoPath: false },
  directory: { label: 'Directory in a container', target: 'container', holds: 'files', intoPath: true },
};

/** The traits of a kind named by a manifest (which an older or newer writer may have filled in). */
export function traitsOf(kind: string): SourceKindTraits | undefined {
  return Object.hasOwn(SOURCE_KINDS, kind) ? SOURCE_KINDS[kind as SourceKind] : undefined;
}
