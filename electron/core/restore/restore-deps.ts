/**
 * What a restore needs from its surroundings (RestoreDeps: hosts, engines, repositories, locks,
 * the agent's direct path) and what it is asked (RestoreInput) — the runner's (runner.ts), the
 * pre-flight's and the rollback's one contract with the backend.
 */
import type { SourceKind } from '../../../shared/contract/snapshots.js';
import type { Engine } from '../docker/engine.js';
import type { OperationsHub } from '../operations/operations-hub.js';
import type { PipelineProgress } from '../pipeline/index.js';
import type { RepositoryBackend } from '../repository/index.js';
import type { RestoreOneResult } from './data-moves.js';
import type { Journal, JournalStep } from './journal.js';
import type { TargetLocks } from './target-lock.js';

export interface HostFacts {
  id: string;
  name: string;
  protected: boolean;
  /** "user@address -p port" for the equivalent commands; undefined for the local engine. */
  ssh?: string;
}

export interface RestoreDeps {
  configDir: string;
  engineFor(hostId: string): Promise<Engine>;
  host(hostId: string): Promise<HostFacts>;
  /** Opens a saved repository; the caller closes the backend. */
  openRepository(repositoryId: string, signal?: AbortSignal): Promise<RepositoryBackend>;
  locks: TargetLocks;
  /** Operations running in this process (their journals are not "interrupted"). */
  active: Set<string>;
  /** Live state of running operations (task, progress, log file) and operations.onChanged. */
  operations?: OperationsHub;
  /** Tests (and the e2e fault hook, HINDSIGHT_TEST_FAULT): called after the journal was written for a step, before the step runs. */
  beforeStep?: (step: JournalStep, journal: Journal) => Promise<void> | void;
  /** Days the safety copies of ended operations are kept (default: safety-sweep.ts). */
  safetyRetentionDays?: number;
  /**
   * The direct data path: the target host's agent moves one source's data itself (agent/
   * direct-restore.ts). null: this target has no agent that can; the console moves it (relay).
   */
  direct?: (hostId: string, req: DirectSourceRequest, signal: AbortSignal | undefined, onProgress: (p: PipelineProgress) => void) => Promise<RestoreOneResult | null>;
  /**
   * `direct` for the first source, started when the run begins: the agent's CLI starts (Node and
   * its bundle, ~0.5 s), checks the manifest and starts reading the data while the pre-flight
   * runs, and waits for the restore step to begin. null: no agent can.
   */
  directStart?: (hostId: string, req: DirectSourceRequest, signal: AbortSignal | undefined) => Promise<DirectStarted | null>;
  /**
   * An image on the host whose GNU tar keeps volumes' safety copies there (host-safety.ts): the
   * agent's, when it runs. null: the console keeps the copies as files.
   */
  hostSafetyImage?: (hostId: string) => Promise<string | null>;
}

/** What the runner asks of the direct path for one source (the agent side adds the repository). */
export interface DirectSourceRequest {
  repositoryId: string;
  snapshotId: string;
  source: string;
  target: string;
  directory?: string | undefined;
  decryption?: { passphrase?: string | undefined; identities?: string[] | undefined } | undefined;
  allowUnsigned: boolean;
  /**
   * The source's kind, for a source restored whole (not a level of a chain): the agent makes the
   * target's sink ready while it checks the manifest (agent/direct-restore.ts).
   */
  prepareAs?: SourceKind | undefined;
}

/** A direct restore of one source whose agent CLI runs already (RestoreDeps.directStart). */
export interface DirectStarted {
  run(req: DirectSourceRequest, onProgress: (p: PipelineProgress) => void): Promise<RestoreOneResult>;
  /** Ends it unused: the run stopped before its restore step. */
  cancel(): void;
  /** The Docker data root's free space, as the agent measured it while it got ready; undefined when it did not say. */
  dataRootFree?(): Promise<number | undefined>;
}

/** A restore's input as the contract has parsed it (restore.run, the CLI). */
export type RestoreInput = {
  repositoryId: string;
  snapshotId: string;
  targetHostId: string;
  map: Record<string, string>;
  paths?: Record<string, string> | undefined;
  sources?: string[] | undefined;
  safetyCopy: boolean;
  confirm?: string | undefined;
  /** Accept a snapshot no trusted writer signed (audited). */
  allowUnsigned?: boolean | undefined;
  /** The user's note (why the safety copy is off): into the log and the audit record. */
  note?: string | undefined;
  decryption?: { passphrase?: string | undefined; identities?: string[] | undefined } | undefined;
};
