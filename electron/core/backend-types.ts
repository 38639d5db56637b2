/**
 * The seam between the domain (electron/core) and the transports (router, Electron IPC, web
 * socket, CLI). Core builds a Backend; the router validates payloads against the contract and
 * calls its handlers. Task bookkeeping (tasks.list / tasks.cancel) belongs to the router.
 */
import type { Handlers } from '../../shared/contract/index.js';

export type BackendHandlers = Omit<Handlers, 'tasks' | 'system'>;

export interface Backend {
  handlers: BackendHandlers;
  /** Contract events ("hosts.onChanged", "inventory.onChanged") emitted by core. */
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
  /** Close every SSH tunnel, event stream and timer. */
  dispose(): Promise<void>;
}

export interface BackendOptions {
  /** Where hosts.json, known_hosts and secrets live (HINDSIGHT_CONFIG_DIR overrides the default). */
  configDir: string;
}
