/**
 * One Engine (and so one SSH tunnel) per saved host, created on first use and replaced when the
 * host's connection settings change (hosts.json is re-read each time, so outside edits count too).
 */
import type { HostConnection } from '../../../shared/contract/hosts.js';
import type { HostsRepository } from '../config/hosts-repository.js';
import type { SecretsStore } from '../config/secrets-store.js';
import type { SshConnectDeps } from '../ssh/connect.js';
import { createEngine, type Engine, type HelperPipes } from './engine.js';

export class EngineRegistry {
  private readonly engines = new Map<string, { key: string; engine: Engine }>();

  constructor(
    private readonly hosts: HostsRepository,
    private readonly secrets: SecretsStore,
    private readonly ssh: SshConnectDeps,
    /** The agent's pipes to its helpers (Engine.pipes), for its one local host. */
    private readonly pipes?: HelperPipes,
  ) {}

  async forHost(hostId: string): Promise<Engine> {
    const host = await this.hosts.stored(hostId);
    const key = JSON.stringify([host.name, host.connection]);
    const current = this.engines.get(hostId);
    if (current?.key === key) return current.engine;
    current?.engine.dispose();
    const pipes = host.connection.type === 'local' && this.pipes ? { pipes: this.pipes } : {};
    const engine = createEngine(host.name, host.connection, { ssh: this.ssh, passphrase: () => this.secrets.passphrase(hostId), ...pipes });
    this.engines.set(hostId, { key, engine });
    return engine;
  }

  /** An engine for a host that is not saved (the "Add host" form's probe); the caller disposes it. */
  temporary(name: string, connection: HostConnection, passphrase: string | undefined): Engine {
    return createEngine(name, connection, { ssh: this.ssh, passphrase: async () => passphrase });
  }

  drop(hostId: string): void {
    this.engines.get(hostId)?.engine.dispose();
    this.engines.delete(hostId);
  }

  disposeAll(): void {
    for (const id of [...this.engines.keys()]) this.drop(id);
  }
}
