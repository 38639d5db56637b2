/**
 * What the console pushes to a host's agent (`hindsight-agent apply`, JSON on stdin — never in
 * argv, where `ps` and `docker inspect` would show the secrets), and how the agent stores it in its
 * state volume: the same files a console keeps (hosts.json with the one local host, repositories
 * and their 0600 secrets, plans.json, trusted-writers.json), so the agent runs the very same core.
 */
import path from 'node:path';
import { z } from 'zod';
import { HostRole } from '../../../shared/contract/hosts.js';
import { Plan } from '../../../shared/contract/plans.js';
import { RepositoryConfig, RepositorySecrets } from '../../../shared/contract/repositories.js';
import { RpcError } from '../../../shared/contract/errors.js';
import { writeFileAtomic } from '../config/atomic-file.js';
import { parseKnownHosts } from '../ssh/known-hosts.js';
import { configFiles } from '../config/paths.js';
import { repositoryFiles } from '../repository/repositories-store.js';
import { TRUSTED_WRITERS_FILE, TrustedWriter } from '../signing/trusted-writers.js';
import { AGENT_DOCKER_SOCKET } from './agent-names.js';

export const AgentConfig = z.object({
  version: z.literal(1),
  host: z.object({ id: z.string().min(1), name: z.string().min(1), role: HostRole, protected: z.boolean() }),
  repositories: z
    .array(
      z.object({
        config: RepositoryConfig,
        secrets: RepositorySecrets,
        /** SFTP with key auth: the private key itself (the console's keyPath means nothing on the host). */
        sshKey: z.string().min(1).max(16_384).optional(),
        /** SFTP: the server's known_hosts lines the console trusts (host keys stay verified). */
        knownHosts: z.array(z.string().min(1).max(8_192)).max(20).optional(),
      }),
    )
    .max(100),
  plans: z.array(Plan).max(1000),
  /** Writers whose snapshots the agent reads (the console's key): prune and drills check signatures. */
  trusted: z.array(TrustedWriter).max(1000),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

/** Agent side: store a pushed configuration (each file atomically; secrets 0600). */
export async function writeAgentConfig(stateDir: string, raw: unknown): Promise<AgentConfig> {
  const c = AgentConfig.parse(raw);
  const known = c.repositories.flatMap((r) => r.knownHosts ?? []);
  if (known.some((l) => parseKnownHosts(l).length !== 1)) throw new RpcError('INVALID_INPUT', 'A known_hosts line of the configuration is not one host key.');
  const hostsFile = configFiles(stateDir).hosts;
  const repoFiles = repositoryFiles(stateDir);
  const host = { ...c.host, createdAt: new Date(0).toISOString(), connection: { type: 'local', socketPath: AGENT_DOCKER_SOCKET } };
  await writeFileAtomic(hostsFile, JSON.stringify({ version: 1, hosts: [host] }, null, 2) + '\n');
  // SFTP keys become files of the agent (0600) and the repositories point at them; the servers'
  // host keys go to the agent's own known_hosts (rewritten whole on each push).
  const configs = [];
  for (const r of c.repositories) {
    if (r.config.kind === 'sftp' && r.sshKey) {
      const keyPath = path.join(stateDir, 'keys', `${r.config.id.replace(/[^A-Za-z0-9_-]/g, '_')}.key`);
      await writeFileAtomic(keyPath, r.sshKey.endsWith('\n') ? r.sshKey : `${r.sshKey}\n`, 0o600);
      configs.push({ ...r.config, auth: { type: 'key' as const, keyPath } });
    } else configs.push(r.config);
  }
  await writeFileAtomic(configFiles(stateDir).knownHosts, known.map((l) => `${l.trim()}\n`).join(''), 0o600);
  await writeFileAtomic(repoFiles.repositories, JSON.stringify({ version: 1, repositories: configs }, null, 2) + '\n');
  await writeFileAtomic(repoFiles.secrets, JSON.stringify({ version: 1, secrets: Object.fromEntries(c.repositories.map((r) => [r.config.id, r.secrets])) }, null, 2) + '\n', 0o600);
  await writeFileAtomic(path.join(stateDir, 'plans.json'), JSON.stringify({ version: 1, plans: c.plans }, null, 2) + '\n');
  await writeFileAtomic(path.join(stateDir, TRUSTED_WRITERS_FILE), JSON.stringify({ version: 1, writers: c.trusted }, null, 2) + '\n', 0o600);
  return c;
}
