import { describe, expect, it } from 'vitest';
import { RpcError, type CheckResult } from '../../shared/contract/index.js';
import { fakeBackend, sampleHost } from '../core/rpc/test-fakes.js';
import { runCli } from './program.js';

const remoteHost = {
  ...sampleHost,
  id: 'h2',
  name: 'uat',
  role: 'uat' as const,
  protected: false,
  connection: { type: 'ssh' as const, address: '10.0.0.5', port: 2222, user: 'ops', auth: { type: 'agent' as const }, remoteSocket: '/var/run/docker.sock' },
};

async function run(args: string[], check?: (input: { id: string }) => Promise<CheckResult>) {
  const out: string[] = [];
  const err: string[] = [];
  const backend = fakeBackend({ hosts: { list: async () => [sampleHost, remoteHost], ...(check ? { check } : {}) } });
  const code = await runCli(args, {
    createBackend: async () => backend,
    configDir: '/cfg',
    appVersion: '1.2.3',
    output: { out: (t) => out.push(t), err: (t) => err.push(t) },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), backend };
}

describe('hindsight CLI', () => {
  it('hosts list prints a table and disposes the backend', async () => {
    const { code, out, backend } = await run(['hosts', 'list']);
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      'NAME  ROLE        PROTECTED  ADDRESS                     PASSPHRASE',
      'prod  production  yes        local /var/run/docker.sock  -',
      'uat   uat         no         ops@10.0.0.5:2222           -',
    ]);
    expect(backend.disposed).toBe(true);
  });

  it('hosts list --json prints the hosts', async () => {
    const { code, out } = await run(['hosts', 'list', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toHaveLength(2);
  });

  it('hosts check prints version and latency, exit 0', async () => {
    const { code, out } = await run(['hosts', 'check', 'uat'], async ({ id }) => {
      expect(id).toBe('h2');
      return { ok: true, dockerVersion: '26.1.5', apiVersion: '1.45', os: 'linux', latencyMs: 12.4 };
    });
    expect(code).toBe(0);
    expect(out).toBe('uat: OK — Docker 26.1.5 (API 1.45, linux), 12 ms');
  });

  it('hosts check prints the failing step, exit 2', async () => {
    const { code, out } = await run(['hosts', 'check', 'uat', '--json'], async () => ({
      ok: false,
      step: 'hostkey',
      code: 'HOSTKEY_UNKNOWN',
      message: 'The server presented a key we have never seen',
      hostKey: { hostPattern: '[10.0.0.5]:2222', keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc', status: 'unknown' },
    }));
    expect(code).toBe(2);
    expect(JSON.parse(out)).toMatchObject({ host: 'uat', ok: false, step: 'hostkey' });
  });

  it('an unknown host name or a backend error is exit 1 with a message', async () => {
    const missing = await run(['hosts', 'check', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No host named "nope" (known: prod, uat)');
    const failing = await run(['hosts', 'check', 'prod'], async () => {
      throw new RpcError('TIMEOUT', 'The host did not answer in 10 s');
    });
    expect(failing.code).toBe(1);
    expect(failing.err).toContain('The host did not answer in 10 s (TIMEOUT)');
  });

  it('usage errors are exit 1, --help exit 0', async () => {
    expect((await run(['hosts', 'frobnicate'])).code).toBe(1);
    expect((await run(['hosts', 'check'])).code).toBe(1);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('hosts');
  });
});
