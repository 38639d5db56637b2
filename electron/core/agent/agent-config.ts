/**
 * What the console pushes to a host's agent (`hindsight-agent apply`, JSON on stdin — never in
 * argv, where `ps` and `docker inspect` would show the secrets), and how the agent stores it in its
 * state volume: the same files a console keeps (hosts.json with the one local host, repositories
 * and their 0600 secrets, plans.json, trusted-writers.json), so the agent runs the very same core.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { HostRole } from '../../../shared/contract/hosts.js';
import { Plan } from '../../../shared/contract/plans.js';
import { PitrJob } from '../../../shared/contract/pitr.js';
import { PitrStore } from '../pitr/pitr-store.js';
import { RepositoryConfig, RepositorySecrets } from '../../../shared/contract/repositories.js';
import { RpcError } from '../../../shared/contract/errors.js';
import { writeFileAtomic } from '../config/atomic-file.js';
import { parseKnownHosts } from '../ssh/known-hosts.js';
import { configFiles } from '../config/paths.js';
import { repositoryFiles } from '../repository/repositories-store.js';
import { createBackend as openRepository, type RepositoryBackend } from '../repository/index.js';
import { TRUSTED_WRITERS_FILE, TrustedWriter } from '../signing/trusted-writers.js';
import { AGENT_DOCKER_SOCKET } from './agent-names.js';

/** A repository as the console sends it to the agent (in a pushed configuration, or with a direct request). */
export const AgentRepository = z.object({
  config: RepositoryConfig,
  secrets: RepositorySecrets,
  /** SFTP with key auth: the private key itself (the console's keyPath means nothing on the host). */
  sshKey: z.string().min(1).max(16_384).optional(),
  /** SFTP: the server's known_hosts lines the console trusts (host keys stay verified). */
  knownHosts: z.array(z.string().min(1).max(8_192)).max(20).optional(),
});
export type AgentRepository = z.infer<typeof AgentRepository>;

export const AgentConfig = z.object({
  version: z.literal(1),
  host: z.object({ id: z.string().min(1), name: z.string().min(1), role: HostRole, protected: z.boolean() }),
  repositories: z.array(AgentRepository).max(100),
  plans: z.array(Plan).max(1000),
  /** Writers whose snapshots the agent reads (the console's key): prune and drills check signatures. */
  trusted: z.array(TrustedWriter).max(1000),
  /** Point-in-time jobs of this host (its containers archived continuously, docs/pitr.md). */
  pitr: z.array(PitrJob).max(100).default([]),
});
export type AgentConfig = z.input<typeof AgentConfig>;

/** Agent side: store a pushed configuration (each file atomically; secrets 0600). */
export async function writeAgentConfig(stateDir: string, raw: unknown): Promise<AgentConfig> {
  const c = AgentConfig.parse(raw);
  const known = c.repositories.flatMap((r) => r.knownHosts ?? []);
  checkKnownHosts(known);
  const hostsFile = configFiles(stateDir).hosts;
  const repoFiles = repositoryFiles(stateDir);
  const host = { ...c.host, createdAt: new Date(0).toISOString(), connection: { type: 'local', socketPath: AGENT_DOCKER_SOCKET } };
  await writeFileAtomic(hostsFile, JSON.stringify({ version: 1, hosts: [host] }, null, 2) + '\n');
  // SFTP keys become files of the agent (0600) and the repositories point at them; the servers'
  // host keys go to the agent's own known_hosts (rewritten whole on each push).
  const configs = [];
  for (const r of c.repositories) {
    configs.push(await withKeyFile(stateDir, r));
  }
  await writeFileAtomic(configFiles(stateDir).knownHosts, known.map((l) => `${l.trim()}\n`).join(''), 0o600);
  await writeFileAtomic(repoFiles.repositories, JSON.stringify({ version: 1, repositories: configs }, null, 2) + '\n');
  await writeFileAtomic(repoFiles.secrets, JSON.stringify({ version: 1, secrets: Object.fromEntries(c.repositories.map((r) => [r.config.id, r.secrets])) }, null, 2) + '\n', 0o600);
  await writeFileAtomic(path.join(stateDir, 'plans.json'), JSON.stringify({ version: 1, plans: c.plans }, null, 2) + '\n');
  await writeFileAtomic(path.join(stateDir, TRUSTED_WRITERS_FILE), JSON.stringify({ version: 1, writers: c.trusted }, null, 2) + '\n', 0o600);
  await new PitrStore(stateDir).replace(c.pitr);
  return c;
}

function checkKnownHosts(lines: string[]): void {
  if (lines.some((l) => parseKnownHosts(l).length !== 1)) throw new RpcError('INVALID_INPUT', 'A known_hosts line of the configuration is not one host key.');
}

/** SFTP keys become files of the agent (0600) in `dir`/keys, and the repository points at it. */
async function withKeyFile(dir: string, r: AgentRepository): Promise<RepositoryConfig> {
  if (r.config.kind !== 'sftp' || !r.sshKey) return r.config;
  const keyPath = path.join(dir, 'keys', `${r.config.id.replace(/[^A-Za-z0-9_-]/g, '_')}.key`);
  await writeFileAtomic(keyPath, r.sshKey.endsWith('\n') ? r.sshKey : `${r.sshKey}\n`, 0o600);
  return { ...r.config, auth: { type: 'key' as const, keyPath } };
}

/**
 * A repository sent with one direct request (backup-source, restore-source), opened for that
 * request alone. SFTP: its key and the server's host keys go to a folder of the request's own
 * (0700, removed by `dispose`), so requests and pushes never rewrite each other's files; host keys
 * are verified against exactly what the console sent. S3: the state folder (its upload journal is
 * how a restarted agent finds multipart uploads to abort).
 */
export async function openRequestRepository(stateDir: string, r: AgentRepository): Promise<{ backend: RepositoryBackend; dispose: () => Promise<void> }> {
  if (r.config.kind !== 'sftp') return { backend: openRepository(r.config, r.secrets, { configDir: stateDir }), dispose: async () => undefined };
  const known = r.knownHosts ?? [];
  checkKnownHosts(known);
  await fs.mkdir(path.join(stateDir, 'requests'), { recursive: true, mode: 0o700 });
  const dir = await fs.mkdtemp(path.join(stateDir, 'requests', 'r-'));
  const dispose = () => fs.rm(dir, { recursive: true, force: true });
  try {
    const config = await withKeyFile(dir, r);
    await writeFileAtomic(configFiles(dir).knownHosts, known.map((l) => `${l.trim()}\n`).join(''), 0o600);
    return { backend: openRepository(config, r.secrets, { configDir: dir }), dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}
