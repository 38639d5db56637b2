import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { canonicalJson, checkManifest, consoleSigner, signManifest, signerFromPrivateKey, TrustedWriters, WRITER_KEY_FILE } from './index.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hindsight-signing-'));
});
afterEach(async () => fsp.rm(dir, { recursive: true, force: true }));

const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  format: 'hindsight/1',
  id: '20261121T221530Z-shop-1a2b',
  set: 'shop',
  sourceHost: { id: 'h-prod', name: 'production' },
  startedAt: '2026-11-21T22:15:30.000Z',
  completedAt: '2026-11-21T22:16:00.000Z',
  tags: [],
  toolVersion: 'hindsight test',
  sources: [
    {
      name: 'files',
      kind: 'volume',
      format: 'tar',
      origin: { hostId: 'h-prod', hostName: 'production', volume: 'shop_files' },
      objectKey: 'data/20261121T221530Z-shop-1a2b/files.tar.zst',
      compression: 'zstd',
      encryption: 'none',
      rawBytes: 10,
      storedBytes: 5,
      rawSha256: 'a'.repeat(64),
      storedSha256: 'b'.repeat(64),
      startedAt: '2026-11-21T22:15:30.000Z',
      completedAt: '2026-11-21T22:16:00.000Z',
    },
  ],
  ...over,
});

/** As the repository would hand it back: JSON text, parsed. */
const stored = (m: unknown) => JSON.parse(JSON.stringify(m, null, 2)) as Record<string, unknown>;

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ s: 'é"\n' })).toBe('{"s":"é\\"\\n"}');
  });
});

describe('signed manifests', () => {
  it("this console's key is made once, 0600, and the same key comes back", async () => {
    const a = await consoleSigner(dir);
    const b = await consoleSigner(dir);
    expect(a.keyId).toBe(b.keyId);
    expect(a.keyId).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect((await fsp.stat(path.join(dir, WRITER_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it('a manifest signed by this console is trusted, for any host; key order does not matter', async () => {
    const signer = await consoleSigner(dir);
    const signed = signManifest(manifest(), signer);
    const trusted = new TrustedWriters(dir);
    expect(await checkManifest(stored(signed), trusted)).toMatchObject({ status: 'trusted', keyId: signer.keyId });
    const reordered = Object.fromEntries(Object.entries(stored(signed)).reverse());
    expect((await checkManifest(reordered, trusted)).status).toBe('trusted');
  });

  it('every change after signing is caught: a value, an added member, a swapped checksum', async () => {
    const trusted = new TrustedWriters(dir);
    const signed = stored(signManifest(manifest(), await consoleSigner(dir)));
    const sources = signed.sources as Array<Record<string, unknown>>;
    for (const forge of [
      (m: Record<string, unknown>) => (m.set = 'other'),
      (m: Record<string, unknown>) => (m.extra = 'x'),
      (m: Record<string, unknown>) => ((m.sources as Array<Record<string, unknown>>)[0]!.rawSha256 = 'c'.repeat(64)),
      (m: Record<string, unknown>) => ((m.sourceHost as Record<string, unknown>).id = 'h-uat'),
    ]) {
      const copy = structuredClone({ ...signed, sources });
      forge(copy);
      expect((await checkManifest(copy, trusted)).status).toBe('bad-signature');
    }
  });

  it('unsigned, unknown writer, and a writer trusted for another host only', async () => {
    const trusted = new TrustedWriters(dir);
    expect((await checkManifest(stored(manifest()), trusted)).status).toBe('unsigned');
    const stranger = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey, 'stranger@bucket');
    const forged = stored(signManifest(manifest(), stranger));
    expect(await checkManifest(forged, trusted)).toMatchObject({ status: 'unknown-writer', message: expect.stringContaining('stranger@bucket') });
    // An agent pinned for production only: its snapshots of production are trusted, of uat not.
    const agent = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey, 'agent@production');
    await trusted.pin({ publicKey: agent.publicKey, writer: 'agent@production', hosts: ['h-prod'] });
    expect((await checkManifest(stored(signManifest(manifest(), agent)), trusted)).status).toBe('trusted');
    const claimsUat = signManifest(manifest({ sourceHost: { id: 'h-uat', name: 'uat' } }), agent);
    expect(await checkManifest(stored(claimsUat), trusted)).toMatchObject({ status: 'untrusted-for-host', message: expect.stringMatching(/claims to come from uat/) });
  });

  it('a signature in the right place but not ed25519, or not base64 of a signature, is bad', async () => {
    const trusted = new TrustedWriters(dir);
    const signed = stored(signManifest(manifest(), await consoleSigner(dir)));
    expect((await checkManifest({ ...signed, signature: { ...(signed.signature as object), algorithm: 'rsa' } }, trusted)).status).toBe('bad-signature');
    expect((await checkManifest({ ...signed, signature: { ...(signed.signature as object), value: 'AAAA' } }, trusted)).status).toBe('bad-signature');
  });
});
