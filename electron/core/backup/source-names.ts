/**
 * The name each source of a snapshot is filed under (data/<id>/<name>.<ext>, the manifest): the
 * spec's own name, else one made from what it is — the volume's name, the container's (plus the
 * database), the container and directory. Names are made safe for an object key and unique
 * within the snapshot ("-2", "-3" on clashes).
 */
import type { SourceSpec } from '../../../shared/contract/snapshots.js';
import { SET_NAME_PATTERN } from '../../../shared/snapshot-id.js';
import { backingOf } from '../kinds/registry.js';

/** Letters, digits, ".", "_", "-"; starting with a letter or digit; at most 64 characters. */
export function safeName(text: string, fallback = 'source'): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 64);
  return SET_NAME_PATTERN.test(cleaned) ? cleaned : fallback;
}

export function defaultSourceName(spec: SourceSpec): string {
  const { text, fallback } = backingOf(spec).nameBase(spec);
  return safeName(text, fallback);
}

export function sourceNames(specs: SourceSpec[]): string[] {
  const used = new Set<string>();
  return specs.map((spec) => {
    const base = spec.name ? safeName(spec.name) : defaultSourceName(spec);
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base.slice(0, 60)}-${n}`;
    used.add(name.toLowerCase());
    return name;
  });
}
