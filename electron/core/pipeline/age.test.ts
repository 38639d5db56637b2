/**
 * The age stages against the age-encryption package (our native STREAM must match its payload
 * byte for byte) and against the real `age` CLI in both directions, passphrase and X25519.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecryptStage, createEncryptStage } from './age.js';
import { isIntegrityError } from './errors.js';
import { MeasuringSink, runCli } from './testing/sinks.js';
import { cliDecryptWithPassphrase, cliEncryptToRecipient, cliEncryptWithPassphrase } from './testing/cli.js';
import type { EncryptionSpec } from './types.js';

let dir: string;
let identity: string;
let recipient: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hindsight-age-'));
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function through(stage: Duplex, input: Buffer | Readable, chunkSize = 10_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const src = Buffer.isBuffer(input) ? Readable.from(split(input, chunkSize), { objectMode: false }) : input;
  await pipeline(src, stage, async (s: AsyncIterable<Buffer>) => {
    for await (const c of s) chunks.push(c);
  });
  return Buffer.concat(chunks);
}

function* split(b: Buffer, n: number) {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

const SIZES = [0, 1, 65535, 65536, 65537, 131072, 200_003];
const pass = (workFactor = 10): EncryptionSpec => ({ kind: 'passphrase', passphrase: 'pässwörd 🔑', workFactor });

describe('age-encryption package interop', () => {
  it.each(SIZES)('%i bytes: ours → package and package → ours', async (size) => {
    const plain = randomBytes(size);
    const ours = await through(createEncryptStage({ kind: 'recipients', recipients: [recipient] }), plain);
    const d = new Decrypter();
    d.addIdentity(identity);
    expect(Buffer.from(await d.decrypt(ours)).equals(plain)).toBe(true);

    const e = new Encrypter();
    e.addRecipient(recipient);
    const theirs = Buffer.from(await e.encrypt(plain));
    expect(theirs.length).toBe(ours.length);
    const back = await through(createDecryptStage({ kind: 'recipients', identities: [identity] }), theirs, 777);
    expect(back.equals(plain)).toBe(true);
  });

  it('passphrase: the package opens ours (our scrypt matches)', async () => {
    const plain = randomBytes(70_000);
    const ours = await through(createEncryptStage(pass()), plain);
    const d = new Decrypter();
    d.addPassphrase('pässwörd 🔑');
    expect(Buffer.from(await d.decrypt(ours)).equals(plain)).toBe(true);
  });

  it('encrypting to identities alone uses their public keys', async () => {
    const out = await through(createEncryptStage({ kind: 'recipients', identities: [identity] }), Buffer.from('hello'));
    expect((await through(createDecryptStage({ kind: 'recipients', identities: [identity] }), out)).toString()).toBe('hello');
  });
});

describe('age CLI interop', () => {
  const plain = randomBytes(300_000);
  let plainFile: string;
  beforeAll(async () => {
    plainFile = join(dir, 'plain.bin');
    await writeFile(plainFile, plain);
  });

  it('`age -d -i` opens what we encrypt to a recipient, and we open `age -r`', async () => {
    const keyFile = join(dir, 'key.txt');
    await writeFile(keyFile, `${identity}\n`);
    const ours = await through(createEncryptStage({ kind: 'recipients', recipients: [recipient] }), plain);
    const r = await runCli('age', ['-d', '-i', keyFile], ours);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.equals(plain)).toBe(true);

    const theirs = join(dir, 'theirs.age');
    expect((await cliEncryptToRecipient(plainFile, theirs, recipient)).code).toBe(0);
    const back = await through(createDecryptStage({ kind: 'recipients', identities: [identity] }), createReadStream(theirs));
    expect(back.equals(plain)).toBe(true);
  });

  it('`age -d` opens what we encrypt with a passphrase at the default work factor, and we open `age -p`', async () => {
    const ours = join(dir, 'ours-p.age');
    await writeFile(ours, await through(createEncryptStage({ kind: 'passphrase', passphrase: 'hunter2 hunter2' }), plain));
    expect((await readFile(ours)).toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S{22} 18\n/);
    const out = join(dir, 'ours-p.out');
    const r = await cliDecryptWithPassphrase(ours, out, 'hunter2 hunter2');
    expect(r.code, r.output).toBe(0);
    expect((await readFile(out)).equals(plain)).toBe(true);

    const theirs = join(dir, 'theirs-p.age');
    const e = await cliEncryptWithPassphrase(plainFile, theirs, 'hunter2 hunter2');
    expect(e.code, e.output).toBe(0);
    const back = await through(createDecryptStage({ kind: 'passphrase', passphrase: 'hunter2 hunter2' }), createReadStream(theirs));
    expect(back.equals(plain)).toBe(true);
  }, 30_000);
});

describe('failures', () => {
  const sealed = () => through(createEncryptStage({ kind: 'recipients', recipients: [recipient] }), randomBytes(200_000));
  const open = (data: Buffer, spec: EncryptionSpec = { kind: 'recipients', identities: [identity] }) =>
    through(createDecryptStage(spec), data).then(
      () => undefined,
      (e: unknown) => e,
    );

  it('a flipped payload byte fails authentication before any of that chunk is passed on', async () => {
    const data = await sealed();
    data[data.length - 100_000]! ^= 0x40;
    const sink = new MeasuringSink();
    const err = await pipeline(Readable.from([data]), createDecryptStage({ kind: 'recipients', identities: [identity] }), sink).catch((e: unknown) => e);
    expect(isIntegrityError(err)).toBe(true);
    // Chunks 0 and 1 are intact (128 KiB); the damaged one is never written.
    expect(sink.bytes).toBeLessThanOrEqual(131072);
  });

  it('a stream cut at a chunk boundary is detected (no last-chunk flag)', async () => {
    const data = await sealed();
    const headerAndNonce = data.length - (200_000 + 4 * 16);
    const err = await open(data.subarray(0, headerAndNonce + 65552));
    expect(isIntegrityError(err)).toBe(true);
  });

  it('a damaged header MAC is corruption; a damaged stanza or a wrong passphrase is AUTH_FAILED', async () => {
    const data = await sealed();
    const damaged = Buffer.from(data);
    const mac = damaged.indexOf('\n--- ') + 6;
    damaged[mac] = damaged[mac] === 0x41 ? 0x42 : 0x41;
    expect(isIntegrityError(await open(damaged))).toBe(true);
    // A damaged recipient stanza cannot be told from a stanza for someone else.
    const stanza = Buffer.from(data);
    stanza[40] = stanza[40] === 0x41 ? 0x42 : 0x41;
    expect(await open(stanza)).toMatchObject({ code: 'AUTH_FAILED' });
    const p = await through(createEncryptStage(pass()), Buffer.from('x'));
    expect(await open(p, { kind: 'passphrase', passphrase: 'wrong' })).toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('an scrypt work factor above 20 is refused before any scrypt runs', async () => {
    const p = await through(createEncryptStage(pass(10)), Buffer.from('x'));
    const header = p.toString('latin1').replace(/^(-> scrypt \S+ )10$/m, '$121');
    expect(await open(Buffer.from(header, 'latin1'), { kind: 'passphrase', passphrase: 'pässwörd 🔑' })).toMatchObject({ message: /work factor above 20/ });
  });

  it('refuses what is not age, armored age, and specs that cannot work', async () => {
    expect(await open(Buffer.from('hello world, this is plain text'))).toMatchObject({ message: /not an age-encrypted file/ });
    expect(await open(Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----\n'))).toMatchObject({ message: /ASCII-armored/ });
    expect(() => createDecryptStage({ kind: 'recipients', recipients: [recipient] })).toThrow(/identity/);
    expect(() => createDecryptStage({ kind: 'recipients', identities: ['nonsense'] })).toThrow(/not valid/);
    await expect(through(createEncryptStage({ kind: 'recipients', recipients: [] }), Buffer.from('x'))).rejects.toThrow(/at least one recipient/);
    await expect(through(createEncryptStage({ kind: 'passphrase', passphrase: 'x', workFactor: 25 }), Buffer.from('x'))).rejects.toThrow(/work factor/);
  });
});
