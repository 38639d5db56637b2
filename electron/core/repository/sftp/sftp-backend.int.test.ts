/**
 * The SFTP backend against the lab's `annex`: an OpenSSH server that allows SFTP only, chrooted,
 * with the repository directory at /repo. The lab machine sees that directory at
 * annex.hostRepoPath, which the tests use as an independent witness (temp files left behind?).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownHostsStore } from '../../ssh/known-hosts-store.js';
import { PendingHostKeys } from '../../ssh/pending-host-keys.js';
import type { SshConnectDeps } from '../../ssh/connect.js';
import { readLab } from '../../testing/lab.js';
import { describeBackendBehaviour, keysOf } from '../testing/backend-suite.js';
import { tempFilesUnder } from '../testing/leftovers.js';
import { SftpBackend, type SftpBackendOptions } from './sftp-backend.js';

const lab = readLab();
const annex = lab.annex!;
const RUN = `hs-test-${process.pid}-${randomBytes(3).toString('hex')}`;
const hostDir = (sub: string) => path.join(annex.hostRepoPath, RUN, sub);

function deps(knownHostsFile = lab.knownHostsPath): SshConnectDeps {
  return { knownHosts: new KnownHostsStore(knownHostsFile, null), pendingKeys: new PendingHostKeys(), agentSocket: undefined };
}

function backend(sub: string, over: Partial<SftpBackendOptions> = {}, d = deps()): SftpBackend {
  return new SftpBackend(
    {
      name: 'annex',
      address: annex.address,
      port: annex.port,
      user: annex.user,
      auth: { type: 'key', keyPath: annex.keyPath },
      path: `${annex.repoPath}/${RUN}/${sub}`,
      ...over,
    },
    d,
  );
}

describeBackendBehaviour('SFTP (lab annex)', () => ({
  backend: async (sub) => backend(`suite/${sub}`),
  leftovers: (sub) => tempFilesUnder(hostDir(`suite/${sub}`)),
  cleanup: () => fs.rm(path.join(annex.hostRepoPath, RUN), { recursive: true, force: true }),
}));

describe('SFTP backend against annex, particulars and failures', () => {
  let tmp: string;
  const opened: SftpBackend[] = [];
  const open = (...args: Parameters<typeof backend>) => {
    const b = backend(...args);
    opened.push(b);
    return b;
  };
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-sftp-'));
  });
  afterAll(async () => {
    for (const b of opened) await b.close();
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.rm(path.join(annex.hostRepoPath, RUN), { recursive: true, force: true });
  });

  it('writes through a temp file renamed into place (posix-rename), files 0600', async () => {
    const b = open('particulars');
    const body = new PassThrough();
    const put = b.putObject('a/b/c.bin', body);
    body.write(randomBytes(256 * 1024));
    await new Promise((r) => setTimeout(r, 300));
    const during = await tempFilesUnder(hostDir('particulars'));
    expect(during.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^c\.bin\.tmp-[0-9a-f]{12}$/)]);
    expect(await keysOf(b, '')).toEqual([]);
    body.end();
    await put;
    expect(await tempFilesUnder(hostDir('particulars'))).toEqual([]);
    expect((await fs.stat(path.join(hostDir('particulars'), 'a/b/c.bin'))).mode & 0o777).toBe(0o600);
    expect(await b.capabilities()).toEqual({ atomicPutIfAbsent: true });
  });

  it('reconnects after the connection drops', async () => {
    const b = open('reconnect');
    await b.putObject('one', Readable.from([Buffer.from('1')]));
    // Kill the session under the backend, as a network drop would.
    const session = (b as unknown as { session: { current?: Promise<{ client: { destroy(): void } }> } }).session;
    (await session.current!).client.destroy();
    await new Promise((r) => setTimeout(r, 100));
    await b.putObject('two', Readable.from([Buffer.from('2')]));
    expect(await keysOf(b, '')).toEqual(['one', 'two']);
  });

  it('an unknown host key is refused with its fingerprint (HOSTKEY_UNKNOWN)', async () => {
    const empty = path.join(tmp, 'known_hosts_empty');
    await fs.writeFile(empty, '');
    const d = deps(empty);
    const b = open('x', {}, d);
    await expect(keysOf(b, '')).rejects.toMatchObject({
      code: 'HOSTKEY_UNKNOWN',
      message: expect.stringContaining(annex.hostKeyFingerprint),
      hostKey: { hostPattern: `[${annex.address}]:${annex.port}`, fingerprint: annex.hostKeyFingerprint, status: 'unknown' },
    });
    // The key is remembered, so the user can accept it through the hosts flow.
    expect(d.pendingKeys.take(`[${annex.address}]:${annex.port}`, annex.hostKeyFingerprint)).toBeDefined();
  });

  it('a changed host key is refused (HOSTKEY_CHANGED), before any login', async () => {
    const forged = path.join(tmp, 'known_hosts_changed');
    // annex's name pinned to another machine's key: exactly what a man in the middle looks like.
    const otherKey = lab.machines.production.hostKeyLine.split(' ').slice(1).join(' ');
    await fs.writeFile(forged, `[${annex.address}]:${annex.port} ${otherKey}\n`);
    const b = open('x', {}, deps(forged));
    await expect(b.putObject('x', Readable.from([Buffer.from('x')]))).rejects.toMatchObject({
      code: 'HOSTKEY_CHANGED',
      message: expect.stringMatching(/host key has CHANGED.*Refusing to connect/),
    });
  });

  it('unreachable or unknown servers are clear errors', async () => {
    await expect(open('x', { port: 2999 }).stat('x')).rejects.toMatchObject({ code: 'TCP_FAILED', message: expect.stringMatching(/connection refused/) });
    await expect(open('x', { address: 'no-such-host.invalid' }).stat('x')).rejects.toMatchObject({ code: 'LOOKUP_FAILED' });
  });

  it('a wrong key is AUTH_FAILED; a directory it may not write is AUTH_FAILED too', async () => {
    await expect(open('x', { auth: { type: 'key', keyPath: annex.wrongKeyPath } }).stat('x')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    // The chroot's root belongs to root: the account may read it but not write there.
    const b = open('x', { path: '/' });
    await expect(b.putObject('not-allowed.bin', Readable.from([Buffer.from('x')]))).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringMatching(/permission denied/),
    });
  });
});
