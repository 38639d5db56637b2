import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecFailedError } from '../sources/errors.js';
import { AgentRepository, openRequestRepository, writeAgentConfig } from './agent-config.js';
import { agentError } from './agent-exec.js';

let dir: string;
beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-config-'))));
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const config = {
  version: 1,
  host: { id: 'h1', name: 'production', role: 'production', protected: true },
  repositories: [
    {
      config: { id: 'r1', name: 's3', kind: 's3', createdAt: '2026-01-01T00:00:00.000Z', endpoint: 'http://127.0.0.15:9000', region: 'us-east-1', bucket: 'bucket', prefix: 'p/', forcePathStyle: true, credentials: { source: 'keys', accessKeyId: 'AK' }, maxAttempts: 3 },
      secrets: { secretAccessKey: 'SECRET' },
    },
  ],
  plans: [],
  trusted: [],
};

describe('the configuration an agent stores', () => {
  it('is the console\'s own file layout, the host local, secrets 0600', async () => {
    await writeAgentConfig(dir, config);
    const hosts = JSON.parse(await fs.readFile(path.join(dir, 'hosts.json'), 'utf8'));
    expect(hosts.hosts[0]).toMatchObject({ id: 'h1', name: 'production', connection: { type: 'local', socketPath: '/var/run/docker.sock' } });
    const secrets = path.join(dir, 'repository-secrets.json');
    expect((await fs.stat(secrets)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await fs.readFile(secrets, 'utf8')).secrets.r1.secretAccessKey).toBe('SECRET');
    // The secret is not in the repositories file.
    expect(await fs.readFile(path.join(dir, 'repositories.json'), 'utf8')).not.toContain('SECRET');
  });

  it('refuses a forged payload and writes nothing', async () => {
    await expect(writeAgentConfig(dir, { ...config, host: { ...config.host, connection: { type: 'ssh' } }, plans: [{ name: '../../etc' }] })).rejects.toThrow();
    await expect(writeAgentConfig(dir, { ...config, version: 2 })).rejects.toThrow();
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('turns the agent\'s JSON error line back into its error', () => {
    const e = agentError(new ExecFailedError('Running x', 1, 'some log\n{"error":{"code":"CONFLICT","message":"plan nightly is running"}}'));
    expect(e).toMatchObject({ code: 'CONFLICT', message: 'plan nightly is running' });
    const plain = new ExecFailedError('Running x', 127, 'sh: not found');
    expect(agentError(plain)).toBe(plain);
  });
});

describe('SFTP repositories for the agent', () => {
  const sftp = {
    config: { id: 'annex-1', name: 'annex', kind: 'sftp', createdAt: '2026-01-01T00:00:00.000Z', address: '127.0.0.14', port: 2222, user: 'hindsight', auth: { type: 'key', keyPath: '/home/me/.ssh/id_ed25519' }, path: '/repo' },
    secrets: {},
    sshKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----',
    knownHosts: ['[127.0.0.14]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx1z2bH6sQnyzOe8qq+9dQy1bQ/qmVQH1Uo6x4aOZrT'],
  };
  it('the key becomes a 0600 file of the agent, the repository points at it, the host key is pinned', async () => {
    await writeAgentConfig(dir, { ...config, repositories: [sftp] });
    const repos = JSON.parse(await fs.readFile(path.join(dir, 'repositories.json'), 'utf8')).repositories;
    const keyPath = repos[0].auth.keyPath as string;
    expect(keyPath.startsWith(dir)).toBe(true);
    expect((await fs.stat(keyPath)).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(keyPath, 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(await fs.readFile(path.join(dir, 'known_hosts'), 'utf8')).toBe(`${sftp.knownHosts[0]}\n`);
  });
  it('refuses a known_hosts line that is not one host key', async () => {
    await expect(writeAgentConfig(dir, { ...config, repositories: [{ ...sftp, knownHosts: ['not a key line'] }] })).rejects.toThrow(/not one host key/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('a direct request opens its repository from a folder of its own (key 0600, host keys as sent), removed afterwards', async () => {
    const { backend, dispose } = await openRequestRepository(dir, AgentRepository.parse(sftp));
    const [folder] = await fs.readdir(path.join(dir, 'requests'));
    const own = path.join(dir, 'requests', folder!);
    expect((await fs.stat(own)).mode & 0o777).toBe(0o700);
    const [key] = await fs.readdir(path.join(own, 'keys'));
    expect((await fs.stat(path.join(own, 'keys', key!))).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(path.join(own, 'known_hosts'), 'utf8')).toBe(`${sftp.knownHosts[0]}\n`);
    expect(backend.location).toContain('annex');
    await backend.close();
    await dispose();
    expect(await fs.readdir(path.join(dir, 'requests'))).toEqual([]);
    // The agent's own known_hosts (the pushed configuration's) is not touched.
    await expect(fs.stat(path.join(dir, 'known_hosts'))).rejects.toThrow();
  });
  it('a direct request with a forged host key line is refused and leaves nothing', async () => {
    await expect(openRequestRepository(dir, AgentRepository.parse({ ...sftp, knownHosts: ['not a key line'] }))).rejects.toThrow(/not one host key/);
    expect(await fs.readdir(dir).catch(() => [])).not.toContain('requests');
  });
});
