/**
 * The seam between the domain (electron/core) and the transports (router, Electron IPC, web
 * socket, CLI). Core builds a Backend; the router validates payloads against the contract and
 * calls its handlers. Task bookkeeping (tasks.list / tasks.cancel) belongs to the router.
 */
import type { Handlers } from '../../shared/contract/index.js';
import type { PlanRunner } from './plans/plans-handlers.js';
import type { RestoreDeps } from './restore/runner.js';
import type { HelperPipes } from './docker/engine.js';

export type BackendHandlers = Omit<Handlers, 'tasks' | 'system'>;

export interface Backend {
  handlers: BackendHandlers;
  /** Runs a plan as a given trigger (the agent's scheduler; plans.run is the manual one). */
  runPlan: PlanRunner;
  /** Contract events ("hosts.onChanged", "inventory.onChanged") emitted by core. */
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
  /** Close every SSH tunnel, event stream and timer. */
  dispose(): Promise<void>;
}

export interface BackendOptions {
  /** Where hosts.json, repositories.json, known_hosts and secrets live (HINDSIGHT_CONFIG_DIR overrides the default). */
  configDir: string;
  /**
   * The user's OpenSSH known_hosts, consulted read-only (default ~/.ssh/known_hosts).
   * null: ignore it (tests that need a clean slate).
   */
  userKnownHostsPath?: string | null;
  /** The ssh-agent socket for agent auth (default $SSH_AUTH_SOCK). */
  agentSocket?: string | undefined;
  /** On first run (no hosts.json yet) add the local engine as host "local" if it answers. Default true. */
  seedLocalHost?: boolean;
  /** The local engine socket to discover (default: $DOCKER_HOST if unix://, else /var/run/docker.sock). */
  localSocketPath?: string;
  /** Bound on the TCP connect to an SSH host (default 8 s). */
  connectTimeoutMs?: number;
  /** Inventory cache tuning (defaults: 200 ms debounce, stop watching 15 min after the last get). */
  inventory?: { debounceMs?: number; watchIdleMs?: number };
  /**
   * Called by the restore runner after it journaled a step, before running it. Tests, and the e2e
   * fault hook of the web server (HINDSIGHT_TEST_FAULT, see electron/core/restore/README.md).
   */
  restoreBeforeStep?: RestoreDeps['beforeStep'];
  /** This backend IS a host's agent (electron/agent): it runs plans itself. */
  agentMode?: boolean;
  /** The agent's pipes to its helpers (Engine.pipes), for its local host. */
  helperPipes?: HelperPipes;
  /** Who runs plans, written in run records (default console@<machine>; the agent: agent@<host>). */
  runner?: string;
}
