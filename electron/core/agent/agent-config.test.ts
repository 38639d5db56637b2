import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecFailedError } from '../sources/errors.js';
import { writeAgentConfig } from './agent-config.js';
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
