/**
 * Every source kind's module (kind-module.ts). Typed as a record over the contract's SourceKind: a
 * kind added there does not compile until it is added here — adding a kind is its folder and this line.
 */
import { SourceKind, type SourceSpec } from '../../../shared/contract/snapshots.js';
import { directoryKind } from './directory/index.js';
import type { KindBacking, KindDiscovering, KindModule } from './kind-module.js';
import { mariadbKind } from './mariadb/index.js';
import { mongoKind } from './mongo/index.js';
import { postgresKind } from './postgres/index.js';
import { volumeKind } from './volume/index.js';

export const KINDS: { readonly [K in SourceKind]: KindModule<K> } = {
  volume: volumeKind,
  postgres: postgresKind,
  mariadb: mariadbKind,
  mongo: mongoKind,
  directory: directoryKind,
};

export function kindOf<K extends SourceKind>(kind: K): KindModule<K> {
  return KINDS[kind];
}

/**
 * The backing part of a spec's kind, able to take that spec. (TypeScript cannot see that
 * KINDS[spec.kind] and spec agree on the kind; they do, by the registry's type.)
 */
export function backingOf(spec: SourceSpec): KindBacking<SourceKind> {
  return KINDS[spec.kind].backing as unknown as KindBacking<SourceKind>;
}

/** The kinds discovery recognises inside containers (database servers), in the contract's order. */
export function discoverableKinds(): Array<{ kind: SourceKind; discovering: KindDiscovering<SourceKind> }> {
  return SourceKind.options.flatMap((kind) => {
    const d = KINDS[kind].discovering as KindDiscovering<SourceKind> | undefined;
    return d ? [{ kind, discovering: d }] : [];
  });
}
