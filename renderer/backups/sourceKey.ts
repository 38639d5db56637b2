import type { SourceSpec } from '../../shared/contract/index.js';

/** A stable key for a discovered source (what the checkboxes are keyed by). */
export function sourceKey(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'volume':
      return `volume:${spec.volume}`;
    case 'directory':
      return `directory:${spec.container}:${spec.path}`;
    case 'postgres':
      return `postgres:${spec.container}:${spec.database ?? '*'}`;
    case 'mariadb':
    case 'mongo':
      return `${spec.kind}:${spec.container}`;
  }
}

/** The set name a host-level backup is filed under when none is given: the host's name, made safe. */
export function safeSetName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (s || 'backup').slice(0, 64);
}
