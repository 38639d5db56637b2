import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from './private-key.js';

let dir: string;
const SECRET = 'pass phrase 0f the key';

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-key-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'plain')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', SECRET, '-f', path.join(dir, 'locked')]);
  await fs.writeFile(path.join(dir, 'junk'), 'this is not a key\n');
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function failure(p: string, passphrase?: string) {
  const e = await loadPrivateKey(p, passphrase).then(
    () => undefined,
    (err: unknown) => err as { code: string; step: string; message: string; detail?: string },
  );
  if (!e) throw new Error('expected a failure');
  return e;
}

describe('loadPrivateKey', () => {
  it('loads an unencrypted key, and an encrypted one with its passphrase', async () => {
    expect((await loadPrivateKey(path.join(dir, 'plain'), undefined)).type).toBe('ssh-ed25519');
    expect((await loadPrivateKey(path.join(dir, 'locked'), SECRET)).isPrivateKey()).toBe(true);
  });

  it('says KEY_UNREADABLE in plain words, never echoing the passphrase', async () => {
    const missing = await failure(path.join(dir, 'nope'));
    expect(missing).toMatchObject({ code: 'KEY_UNREADABLE', step: 'auth' });
    expect(missing.message).toMatch(/no such file/);
    expect((await failure(path.join(dir, 'locked'))).message).toMatch(/encrypted: enter its passphrase/);
    const wrong = await failure(path.join(dir, 'locked'), 'wrong ' + SECRET);
    expect(wrong.message).toMatch(/does not unlock/);
    expect(JSON.stringify(wrong)).not.toContain(SECRET);
    expect((await failure(path.join(dir, 'junk'))).message).toMatch(/not a private key format/);
    expect((await failure(path.join(dir, 'plain.pub'))).message).toMatch(/public key/);
    expect((await failure(dir)).message).toMatch(/directory/);
  });
});
