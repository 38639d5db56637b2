import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, keyTypeOf } from './fingerprint.js';
import { entryMatches, hostPatternFor, judgeHostKey, parseKnownHosts } from './known-hosts.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { PendingHostKeys } from './pending-host-keys.js';

/** Real keys from the real ssh-keygen: the fingerprints must agree with OpenSSH's. */
let dir: string;
const keys: Record<string, { type: string; blob: Buffer; line: string; sshKeygenFp: string }> = {};

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-kh-'));
  for (const [name, args] of [
    ['ed', ['-t', 'ed25519']],
    ['ed2', ['-t', 'ed25519']],
    ['rsa', ['-t', 'rsa', '-b', '2048']],
    ['ecdsa', ['-t', 'ecdsa', '-b', '256']],
  ] as const) {
    const file = path.join(dir, name);
    execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', `test-${name}`, '-f', file]);
    const line = (await fs.readFile(`${file}.pub`, 'utf8')).trim();
    const [type, b64] = line.split(' ');
    const sshKeygenFp = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
    keys[name] = { type: type!, blob: Buffer.from(b64!, 'base64'), line, sshKeygenFp };
  }
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('fingerprintOf', () => {
  it('equals what ssh-keygen -lf prints, for every key type', () => {
    for (const k of Object.values(keys)) {
      expect(fingerprintOf(k.blob)).toBe(k.sshKeygenFp);
      expect(keyTypeOf(k.blob)).toBe(k.type);
    }
  });
  it('refuses a malformed blob', () => {
    expect(() => keyTypeOf(Buffer.from([0, 0, 0, 200, 1]))).toThrow();
  });
});

describe('known_hosts matching', () => {
  it('names hosts like OpenSSH: bare on port 22, [addr]:port otherwise', () => {
    expect(hostPatternFor('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(hostPatternFor('127.0.0.11', 2222)).toBe('[127.0.0.11]:2222');
  });

  it('parses entries, skipping comments, junk and keeping markers and line numbers', () => {
    const entries = parseKnownHosts(
      `# comment\n\n[127.0.0.11]:2222 ${keys.ed!.type} ${keys.ed!.blob.toString('base64')} comment here\nnot a valid line\n` +
        `@revoked host1 ${keys.rsa!.type} ${keys.rsa!.blob.toString('base64')}\n`,
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ patterns: '[127.0.0.11]:2222', keyType: 'ssh-ed25519', marker: null, line: 3 });
    expect(entries[0]!.key.equals(keys.ed!.blob)).toBe(true);
    expect(entries[1]).toMatchObject({ marker: '@revoked', line: 5 });
  });

  it('matches pattern lists, wildcards and negation', () => {
    const m = (patterns: string, host: string) => entryMatches({ patterns }, host);
    expect(m('a.example,b.example', 'b.example')).toBe(true);
    expect(m('*.example', 'db.example')).toBe(true);
    expect(m('*.example,!secret.example', 'secret.example')).toBe(false);
    expect(m('db?.example', 'db1.example')).toBe(true);
    expect(m('10.0.0.1', '[10.0.0.1]:2222')).toBe(false); // port 2222 is another host key-wise
    expect(m('[10.0.0.1]:2222', '[10.0.0.1]:2222')).toBe(true);
  });

  it('matches hashed entries produced by ssh-keygen -H, with and without a port', async () => {
    const file = path.join(dir, 'hashed_known_hosts');
    await fs.writeFile(file, `[127.0.0.11]:2222 ${keys.ed!.line}\nbastion.example ${keys.rsa!.line}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    const entries = parseKnownHosts(await fs.readFile(file, 'utf8'));
    expect(entries.every((e) => e.patterns.startsWith('|1|'))).toBe(true);
    expect(judgeHostKey(entries, '[127.0.0.11]:2222', 'ssh-ed25519', keys.ed!.blob)).toEqual({ status: 'match' });
    expect(judgeHostKey(entries, 'bastion.example', 'ssh-rsa', keys.rsa!.blob)).toEqual({ status: 'match' });
    expect(judgeHostKey(entries, '127.0.0.11', 'ssh-ed25519', keys.ed!.blob)).toEqual({ status: 'unknown' });
  });

  it('judges match / unknown / changed / revoked', () => {
    const text =
      `[h]:2222 ${keys.ed!.line}\n` + `other ${keys.ed2!.line}\n` + `@revoked [h]:2222 ${keys.ecdsa!.line}\n`;
    const entries = parseKnownHosts(text);
    expect(judgeHostKey(entries, '[h]:2222', 'ssh-ed25519', keys.ed!.blob)).toEqual({ status: 'match' });
    expect(judgeHostKey(entries, '[h]:2222', 'ssh-ed25519', keys.ed2!.blob)).toEqual({
      status: 'changed',
      line: 1,
      knownFingerprint: keys.ed!.sshKeygenFp,
    });
    // Another type than the pinned one: unknown, as OpenSSH would ask.
    expect(judgeHostKey(entries, '[h]:2222', 'ssh-rsa', keys.rsa!.blob)).toEqual({ status: 'unknown' });
    expect(judgeHostKey(entries, '[h]:2222', 'ecdsa-sha2-nistp256', keys.ecdsa!.blob)).toMatchObject({ status: 'changed', line: 3 });
    expect(judgeHostKey(entries, 'nobody', 'ssh-ed25519', keys.ed!.blob)).toEqual({ status: 'unknown' });
  });
});

describe('KnownHostsStore', () => {
  it("lets Hindsight's own file win over ~/.ssh/known_hosts, and pins idempotently", async () => {
    const own = path.join(dir, 'own_known_hosts');
    const user = path.join(dir, 'user_known_hosts');
    await fs.writeFile(user, `[h]:2222 ${keys.ed!.line}\n[u]:2222 ${keys.rsa!.line}\n`);
    const store = new KnownHostsStore(own, user);
    expect(await store.judge('[h]:2222', 'ssh-ed25519', keys.ed!.blob)).toEqual({ status: 'match' });
    expect(await store.judge('[h]:2222', 'ssh-ed25519', keys.ed2!.blob)).toMatchObject({ status: 'changed' });

    // The user pins the new key in Hindsight: the stale user-file line no longer decides.
    await store.pin('[h]:2222', 'ssh-ed25519', keys.ed2!.blob);
    await store.pin('[h]:2222', 'ssh-ed25519', keys.ed2!.blob);
    expect(await store.judge('[h]:2222', 'ssh-ed25519', keys.ed2!.blob)).toEqual({ status: 'match' });
    expect(await store.judge('[h]:2222', 'ssh-ed25519', keys.ed!.blob)).toMatchObject({ status: 'changed' });
    expect(await store.judge('[u]:2222', 'ssh-rsa', keys.rsa!.blob)).toEqual({ status: 'match' });
    const ownText = await fs.readFile(own, 'utf8');
    expect(ownText.trim().split('\n')).toEqual([`[h]:2222 ssh-ed25519 ${keys.ed2!.blob.toString('base64')}`]);
    // The user's file is only ever read.
    expect(await fs.readFile(user, 'utf8')).toContain(keys.ed!.line);
    // ssh-keygen agrees the written file is well-formed and finds the host.
    expect(execFileSync('ssh-keygen', ['-F', '[h]:2222', '-f', own], { encoding: 'utf8' })).toContain('ssh-ed25519');
  });

  it('works without any file', async () => {
    const store = new KnownHostsStore(path.join(dir, 'none'), path.join(dir, 'none2'));
    expect(await store.judge('x', 'ssh-ed25519', keys.ed!.blob)).toEqual({ status: 'unknown' });
  });
});

describe('PendingHostKeys', () => {
  it('hands out a seen key only for the right fingerprint, once, and not when stale', () => {
    let now = 0;
    const pending = new PendingHostKeys(() => now);
    pending.remember('[h]:2222', 'ssh-ed25519', keys.ed!.blob);
    expect(pending.take('[h]:2222', keys.ed2!.sshKeygenFp)).toBeUndefined();
    expect(pending.take('[other]:2222', keys.ed!.sshKeygenFp)).toBeUndefined();
    expect(pending.take('[h]:2222', keys.ed!.sshKeygenFp)?.key.equals(keys.ed!.blob)).toBe(true);
    expect(pending.take('[h]:2222', keys.ed!.sshKeygenFp)).toBeUndefined();
    pending.remember('[h]:2222', 'ssh-ed25519', keys.ed!.blob);
    now += 31 * 60_000;
    expect(pending.take('[h]:2222', keys.ed!.sshKeygenFp)).toBeUndefined();
  });
});
