/**
 * One module per source kind (issue 10 item 0, ARCHITECTURE §1): everything that differs between a
 * volume, a PostgreSQL, a MariaDB, a MongoDB and a directory lives in that kind's folder, behind
 * this interface, and the registry (registry.ts) maps every SourceKind to its module — a kind
 * added to the contract does not compile until it has one. Generic code asks the module; it never
 * switches on the kind.
 *
 * So far: the backup's part (how a source is read and what the manifest records about it), the restore plan's part (what the planner says and shows for a source of the kind) and
 * the restore's (how the restored stream goes into a target, how a target's current content is
 * copied aside and put back, a database server's own bookkeeping).
 */
import type { Readable } from 'node:stream';
import type { PlanTarget, SourceCheck } from '../../../shared/contract/restore.js';
import type { ManifestSource, SourceKind, SourceSpec } from '../../../shared/contract/snapshots.js';
import type { Engine } from '../docker/engine.js';
import type { EntryPolicy, TarSummary } from '../pipeline/index.js';
import type { HolesResult } from '../sources/holes.js';
import type { DatabaseServer } from '../restore/db-state.js';

/** What a plan's commands need to know about where they run. */
export interface PlanContext {
  /** "user@address -p port" of the target host; undefined for the local engine. */
  ssh: string | undefined;
  /** The helper image named in the commands (busybox by default). */
  helper: string;
  /** The safety copies are kept on the target host (its agent runs) rather than on this computer. */
  keptOnHost: boolean;
}

/** What a source of this kind restores into is the contract's (SOURCE_KINDS[kind].target): a volume, or a running container. */
export interface KindPlanning {
  /** Why this version cannot restore the source (with the by-hand way when there is one); undefined when it can. */
  notRestorable(src: ManifestSource): string | undefined;
  /** A stored format this kind does not restore; undefined when fine. */
  formatProblem(src: ManifestSource): string | undefined;
  /**
   * Kinds restored into a path inside the target container (a directory): where — the user's
   * choice or where it came from; undefined when neither says. Absent for the other kinds.
   */
  targetPath?(src: ManifestSource, chosen: Record<string, string> | undefined): string | undefined;
  /** What is done to the target container, for its blockers: "restore the database into". */
  containerUse(t: Pick<PlanTarget, 'path'>): string;
  /** Why a target container that is not running cannot be used. */
  notRunning(t: Pick<PlanTarget, 'path'>): string;
  /** The check shown for a container target in the pre-flight step. */
  preflightCommand(t: PlanTarget): string;
  safetyDescription(t: PlanTarget, keptOnHost: boolean): string;
  safetyCommand(src: ManifestSource, t: PlanTarget, ctx: PlanContext): string;
  restoreDescription(src: ManifestSource, t: PlanTarget): string;
  restoreCommand(src: ManifestSource, t: PlanTarget, ctx: PlanContext): string;
  /** The checks after the restore beyond the two checksums: entries, row counts. */
  verifyCommands(src: ManifestSource, t: PlanTarget, ctx: PlanContext): string[];
}

/** A restore's target: a volume, or a container (with the directory inside it for directory sources). */
export interface RestoreTarget {
  engine: Engine;
  target: string;
  /** Directory sources: the directory inside the target container. */
  path?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** A restore's sink made ready (KindRestoring.prepare): `load` once, or `abandon` with the target as it was. */
export interface PreparedLoad {
  load(stream: Readable): Promise<{ tar?: TarSummary; holes?: HolesResult }>;
  abandon(): Promise<void>;
}

export interface KindRestoring {
  /** What a safety copy of the target is: a tar, or SQL (`<source>.<format>.zst`). */
  copyFormat: 'tar' | 'sql';
  /** The restore pipeline's sink: the raw stream into the target; what a tar sink counted. */
  load(x: RestoreTarget & { src: ManifestSource; stream: Readable }): Promise<{ tar?: TarSummary; holes?: HolesResult }>;
  /**
   * `load` made ready ahead, changing nothing in the target yet (a volume's helper started and
   * waiting): the agent does it while the console's pre-flight runs, and while it checks the
   * manifest (agent/direct-restore.ts) — so from the target alone, before the source is known.
   * Kinds without it load as they are asked.
   */
  prepare?(x: RestoreTarget): Promise<PreparedLoad>;
  /** What the target holds now, as a stream (the safety copy): a tar, or a dump of every database. */
  openCurrent(x: RestoreTarget): Promise<{ stream: Readable; closed?: Promise<void> }>;
  /**
   * Kinds backed up in incremental levels (KindBacking.levels): one level of a chain into the
   * target — the first clears it — guarded with the chain's shared policy; and the entries of the
   * target's tree afterwards, checked against the manifest's count of the tree.
   */
  levels?: {
    load(x: RestoreTarget & { stream: Readable; first: boolean; policy: EntryPolicy }): Promise<{ tar?: TarSummary; holes?: HolesResult }>;
    /** The target's tree: its entries and their digest (pipeline/tree-digest.ts). */
    tree(x: RestoreTarget): Promise<{ entries: number; digest: string }>;
    /** Removes the symbolic links at `paths` (from the target's root, none under another link) before a level replaces them (pipeline/tar-chain.ts). */
    removeLinks(x: RestoreTarget & { paths: string[] }): Promise<void>;
  };
  /** A safety copy's stream back into the target (a rollback: never tied to a signal). */
  putBack(x: Omit<RestoreTarget, 'signal'> & { stream: Readable }): Promise<void>;
  /**
   * Database servers: the databases a target holds (recorded before a restore, so a rollback can
   * drop those a failed restore created), and the row counts checked after a restore.
   */
  databases?: DatabaseServer & {
    rowChecks(engine: Engine, src: ManifestSource, target: string, signal?: AbortSignal): Promise<SourceCheck['checks']>;
  };
}

/** The backup set's description of a source of kind K. */
export type SpecOf<K extends SourceKind> = Extract<SourceSpec, { kind: K }>;

/** A source opened for a backup: its raw stream and what the manifest records about it. */
export interface OpenedSource {
  stream: Readable;
  format: ManifestSource['format'];
  /** Without compression/encryption suffixes: "tar", "sql", "dump", "archive". */
  ext: string;
  origin: Partial<ManifestSource['origin']>;
  rowCounts?: Record<string, number>;
  databaseRowCounts?: Record<string, Record<string, number>>;
  /** Settles once the source's own resources (a helper container) are gone. */
  closed?: Promise<void>;
  /** Resolves true (once read) when the reader said files changed while it read them: the copy is not consistent. */
  changed?: Promise<boolean>;
  /**
   * At most about this many bytes (a database's size on disk, more than its dump): sizes a large
   * upload's parts (s3/part-size.ts), never the progress.
   */
  upperBound?: number;
}

export interface KindBacking<K extends SourceKind> {
  /** For the log: "volume shop_files", "PostgreSQL in db (all databases)". */
  describe(spec: SpecOf<K>): string;
  /** What a source is filed under when its spec names none (made safe and unique by source-names.ts). */
  nameBase(spec: SpecOf<K>): { text: string; fallback: string };
  /**
   * Reads the source: counts taken first (what a restore is checked against), then the stream.
   * `level`: a GNU listed-incremental level against this snapshot file (kinds with `levels`).
   */
  open(spec: SpecOf<K>, x: { engine: Engine; signal: AbortSignal; name: string; level?: { snapshotFile: string } }): Promise<OpenedSource>;
  /** The kind can be backed up in incremental levels (backup/levels.ts), on a host with the agent. */
  levels?: boolean;
}

/** Database servers: how discovery recognises a container running one, and what it offers for it. */
export interface KindDiscovering<K extends SourceKind> {
  /** In words: "PostgreSQL". */
  serverName: string;
  /** The image's base name ("postgres" of "docker.io/library/postgres:16-alpine"). */
  image: RegExp;
  /** Failing the image, its command. */
  command: RegExp;
  /** The source a discovered server becomes, and its label. */
  specFor(container: string): SpecOf<K>;
  labelFor(container: string): string;
}

/**
 * What a verify (restore/verify.ts) restores a source of the kind into: a fresh volume; a fresh
 * server of the kind, from the image of one already on the verifying host (configured through the
 * variables the official images read; ready once `ready` prints 1 over TCP); or nothing — not
 * verified by this version.
 */
export type ThrowawayTarget = { kind: 'volume' } | { kind: 'server'; env: readonly string[]; ready: string } | { kind: 'none' };

export interface KindModule<K extends SourceKind = SourceKind> {
  kind: K;
  throwaway: ThrowawayTarget;
  /** Kinds discovery finds inside containers (database servers); volumes are found by the volume list. */
  discovering?: KindDiscovering<K>;
  backing: KindBacking<K>;
  planning: KindPlanning;
  restoring: KindRestoring;
}
