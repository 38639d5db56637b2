/**
 * Integration-test harness: a temp config dir with the lab's pinned known_hosts, production
 * (protected) and uat in the hosts store, a local-folder repository, and RestoreDeps over them —
 * the same wiring createBackend does (restoreDeps), with the runner's test hook exposed.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { HostInput } from '../../../../shared/contract/hosts.js';
import { HostsRepository } from '../../config/hosts-repository.js';
import { configFiles } from '../../config/paths.js';
import { SecretsStore } from '../../config/secrets-store.js';
import { EngineRegistry } from '../../docker/engine-registry.js';
import type { Engine } from '../../docker/engine.js';
import { LocalBackend, RepositoriesStore, initRepository } from '../../repository/index.js';
import { KnownHostsStore } from '../../ssh/known-hosts-store.js';
import { PendingHostKeys } from '../../ssh/pending-host-keys.js';
import { readLab, sshConnectionOf, tempConfigDir, type LabFacts } from '../../testing/lab.js';
import { consoleSigner, type ManifestSigner } from '../../signing/index.js';
import { restoreDeps } from '../handlers.js';
import { useFixtureSigner } from './snapshot-fixture.js';
import type { RestoreDeps } from '../runner.js';

export interface LabRestore {
  lab: LabFacts;
  configDir: string;
  repoDir: string;
  repositoryId: string;
  backend: LocalBackend;
  /** This test console's writer key: the fixture snapshots and runBackup calls sign with it. */
  signer: ManifestSigner;
  hosts: HostsRepository;
  repositories: RepositoriesStore;
  ids: { production: string; uat: string };
  engine(hostId: string): Promise<Engine>;
  deps: RestoreDeps;
  /** A second "process" on the same config dir (fresh in-process state), for interrupted-run tests. */
  freshDeps(): RestoreDeps;
  /** Adds a host reaching uat's sshd through another address/port (a relay), pinned to uat's key. */
  addUatVia(name: string, port: number): Promise<string>;
  dispose(): Promise<void>;
}

export async function labRestore(): Promise<LabRestore> {
  const lab = readLab();
  const cfg = await tempConfigDir({ pinned: true });
  const files = configFiles(cfg.dir);
  const secrets = new SecretsStore(files.secrets);
  const hosts = new HostsRepository(files.hosts, secrets);
  const ssh = { knownHosts: new KnownHostsStore(files.knownHosts, null), pendingKeys: new PendingHostKeys(), agentSocket: undefined };
  const engines = new EngineRegistry(hosts, secrets, ssh);
  const production = (await hosts.add(HostInput.parse({ name: 'production', role: 'production', protected: true, connection: sshConnectionOf(lab.machines.production) }))).id;
  const uat = (await hosts.add(HostInput.parse({ name: 'uat', role: 'uat', connection: sshConnectionOf(lab.machines.uat) }))).id;
  const repositories = new RepositoriesStore(cfg.dir);
  const repoDir = path.join(cfg.dir, 'test-repo');
  await fsp.mkdir(repoDir);
  const backend = new LocalBackend(repoDir);
  await initRepository(backend);
  const repo = await repositories.add({ name: 'testrepo', kind: 'local', path: repoDir });
  const signer = await consoleSigner(cfg.dir);
  useFixtureSigner(signer);
  const make = () => restoreDeps({ configDir: cfg.dir, hosts, engines, repositories, backendDeps: { configDir: cfg.dir, ssh } });
  return {
    lab,
    configDir: cfg.dir,
    repoDir,
    repositoryId: repo.id,
    backend,
    signer,
    hosts,
    repositories,
    ids: { production, uat },
    engine: (id) => engines.forHost(id),
    deps: make(),
    freshDeps: make,
    async addUatVia(name, port) {
      const m = lab.machines.uat;
      const keyPart = m.hostKeyLine.split(/\s+/).slice(1).join(' ');
      await fsp.appendFile(files.knownHosts, `[127.0.0.1]:${port} ${keyPart}\n`);
      return (await hosts.add(HostInput.parse({ name, role: 'uat', connection: sshConnectionOf(m, { address: '127.0.0.1', port }) }))).id;
    },
    async dispose() {
      engines.disposeAll();
      await cfg.cleanup();
    },
  };
}
