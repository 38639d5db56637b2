import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsContract } from '../../../shared/contract/hosts.js';
import { importSshConfig, parseJumpSpec } from './ssh-config-import.js';

let dir: string;
const env = () => ({ home: dir, localUser: 'me' });

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-sshcfg-'));
  await fs.mkdir(path.join(dir, '.ssh'));
  await fs.writeFile(
    path.join(dir, '.ssh', 'config'),
    `# team machines
Host prod production
  HostName 10.0.0.5
  Port 2222
  User deploy
  IdentityFile ~/.ssh/prod_key
  ProxyJump bastion

Host bastion
  HostName bastion.example.com
  User jump
  IdentityFile %d/.ssh/jump_key

Host uat
  HostName uat.internal
  ProxyJump ops@gate.example.com:2200

Host science
  HostName %h.lab.example
  ProxyJump none

Host chain
  ProxyJump a,b

Host u*
  User wildcard-user

Host *
  ServerAliveInterval 30
`,
  );
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('importSshConfig', () => {
  it('turns concrete Host entries into host candidates', async () => {
    const out = await importSshConfig(undefined, env());
    expect(out.map((c) => c.alias)).toEqual(['prod', 'bastion', 'uat', 'science']);
    const [prod, bastion, uat, science] = out;
    expect(prod).toEqual({
      alias: 'prod',
      name: 'prod',
      role: 'other',
      protected: false,
      connection: {
        type: 'ssh',
        address: '10.0.0.5',
        port: 2222,
        user: 'deploy',
        auth: { type: 'key', keyPath: path.join(dir, '.ssh/prod_key') },
        remoteSocket: '/var/run/docker.sock',
        jump: { address: 'bastion.example.com', port: 22, user: 'jump', auth: { type: 'key', keyPath: path.join(dir, '.ssh/jump_key') } },
      },
    });
    expect(bastion!.connection).not.toHaveProperty('jump');
    // No IdentityFile: ssh-agent. Wildcard sections supply defaults. A jump that is not an entry is parsed.
    expect(uat!.connection).toMatchObject({
      address: 'uat.internal',
      user: 'wildcard-user',
      auth: { type: 'agent' },
      jump: { address: 'gate.example.com', port: 2200, user: 'ops', auth: { type: 'agent' } },
    });
    expect(science!.connection).toMatchObject({ address: 'science.lab.example', user: 'me', port: 22 });
    expect(science!.connection).not.toHaveProperty('jump');
  });

  it('produces what the contract accepts', async () => {
    const out = await importSshConfig(path.join(dir, '.ssh', 'config'), env());
    expect(() => hostsContract.importSshConfig.output.parse(out)).not.toThrow();
  });

  it('returns nothing when there is no ~/.ssh/config, NOT_FOUND for a named missing file', async () => {
    expect(await importSshConfig(undefined, { home: path.join(dir, 'nobody'), localUser: 'me' })).toEqual([]);
    await expect(importSshConfig(path.join(dir, 'missing'), env())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('parseJumpSpec', () => {
  it('reads [user@]host[:port] and bracketed IPv6', () => {
    expect(parseJumpSpec('gate')).toEqual({ host: 'gate' });
    expect(parseJumpSpec('ops@gate:2200')).toEqual({ host: 'gate', user: 'ops', port: 2200 });
    expect(parseJumpSpec('ssh://ops@[::1]:22')).toEqual({ host: '::1', user: 'ops', port: 22 });
  });
});
