/**
 * Every source kind's module (kind-module.ts). Typed as a record over the contract's SourceKind: a
 * kind added there does not compile until it is added here — adding a kind is its folder and this line.
 */
import type { SourceKind } from '../../../shared/contract/snapshots.js';
import { directoryKind } from './directory/index.js';
import type { KindModule } from './kind-module.js';
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

export function kindOf(kind: SourceKind): KindModule {
  return KINDS[kind];
}
