/**
 * How each source kind is given on a command line (`--volume V`, `--postgres C[/db]`, …): one
 * entry per SourceKind, so a kind added to the contract does not compile until it has its flag,
 * and every command that takes sources (backup, sets add, plans add) offers all of them. Pure.
 */
import type { IncrementalSpec, SourceKind, SourceSpec } from './contract/snapshots.js';
import { withLevels } from './levels.js';

type SpecOf<K extends SourceKind> = Extract<SourceSpec, { kind: K }>;

export interface SourceFlag<K extends SourceKind> {
  /** The option's argument, as the help shows it. */
  arg: string;
  help: string;
  /** The spec the argument stands for; a usage error (thrown as Error) when it is malformed. */
  parse(value: string): SpecOf<K>;
}

export const SOURCE_FLAGS: { readonly [K in SourceKind]: SourceFlag<K> } = {
  volume: { arg: '<volume>', help: 'a Docker volume', parse: (volume) => ({ kind: 'volume', volume }) },
  postgres: {
    arg: '<container[/db]>',
    help: 'a PostgreSQL container, all databases or one',
    parse: (p) => {
      const [container, database] = p.split('/', 2);
      if (!container) throw new Error(`--postgres ${p}: a container name (optionally /database) is needed.`);
      return database ? { kind: 'postgres', container, mode: 'database', database, user: 'postgres' } : { kind: 'postgres', container, mode: 'dumpall', user: 'postgres' };
    },
  },
  mariadb: { arg: '<container>', help: 'a MariaDB/MySQL container', parse: (container) => ({ kind: 'mariadb', container }) },
  mongo: { arg: '<container>', help: 'a MongoDB container', parse: (container) => ({ kind: 'mongo', container }) },
  directory: {
    arg: '<container:/path>',
    help: 'a directory inside a container, e.g. app-1:/etc/app',
    parse: (d) => {
      const i = d.indexOf(':');
      const path = d.slice(i + 1);
      if (i <= 0 || !path.startsWith('/')) throw new Error(`--directory ${d}: give container:/absolute/path.`);
      return { kind: 'directory', container: d.slice(0, i), path };
    },
  },
};

/** Every kind's flag, in the contract's order. */
export function sourceFlags(): Array<{ kind: SourceKind; flag: SourceFlag<SourceKind> }> {
  return (Object.keys(SOURCE_FLAGS) as SourceKind[]).map((kind) => ({ kind, flag: SOURCE_FLAGS[kind] as SourceFlag<SourceKind> }));
}

/** The options that make the volumes of a command incremental (`--incremental [--full-every 7d]`). */
export interface LevelFlags {
  incremental?: boolean;
  fullEvery?: string;
}

/**
 * `--full-every`: "7d" (days), "2w" (weeks) or "10levels" / "10 levels" — when a new chain begins
 * with a full level (ARCHITECTURE §9). Throws a usage error for anything else.
 */
export function parseFullEvery(text: string): IncrementalSpec['fullEvery'] {
  const m = /^\s*(\d+)\s*(d|days?|w|weeks?|l|levels?)\s*$/i.exec(text);
  const n = m ? Number(m[1]) : NaN;
  const unit = m?.[2]?.[0]?.toLowerCase();
  if (unit === 'd' && n >= 1 && n <= 366) return { days: n };
  if (unit === 'w' && n >= 1 && n <= 52) return { days: n * 7 };
  if (unit === 'l' && n >= 2 && n <= 1000) return { levels: n };
  throw new Error(`--full-every ${text}: give days ("7d", 1–366), weeks ("2w") or levels ("10levels", 2–1000).`);
}

/** The specs given by the options (`{ volume: [...], postgres: [...] }`), kind by kind; volumes incremental when asked. */
export function specsFromFlags(options: Partial<Record<SourceKind, string[]>> & LevelFlags): SourceSpec[] {
  if (options.fullEvery !== undefined && !options.incremental) throw new Error('--full-every goes with --incremental.');
  const incremental: IncrementalSpec | undefined = options.incremental ? { fullEvery: options.fullEvery !== undefined ? parseFullEvery(options.fullEvery) : { days: 7 } } : undefined;
  return sourceFlags().flatMap(({ kind, flag }) => (options[kind] ?? []).map((value) => withLevels(flag.parse(value), incremental)));
}
