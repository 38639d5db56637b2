/**
 * The pipeline end to end: 30 MiB of mixed data through backup then restore for every combination
 * of compression and encryption, checked against the real CLIs (zstd, gzip, age) a user would
 * restore with by hand.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from './run-pipeline.js';
import { MiB, MixedSource } from './testing/mixed-data.js';
import { MeasuringSink, shellSha256 } from './testing/sinks.js';
import { cliDecode, cliDecodeWithIdentity, cliDecryptWithPassphrase, decompressCommand } from './testing/cli.js';
import type { CompressionSpec, EncryptionSpec } from './types.js';

let dir: string;
let identity: string;
let recipient: string;
let identityFile: string;
const PASSPHRASE = 'correct horse battery staple';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hindsight-pipeline-'));
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
  identityFile = join(dir, 'key.txt');
  await writeFile(identityFile, `${identity}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type EncKind = 'none' | 'passphrase' | 'recipients';
function encryption(kind: EncKind, direction: 'backup' | 'restore'): EncryptionSpec {
  if (kind === 'none') return { kind: 'none' };
  // A low scrypt work factor keeps the test light; `age -d` accepts any factor up to 22.
  if (kind === 'passphrase') return { kind: 'passphrase', passphrase: PASSPHRASE, workFactor: 12 };
  return direction === 'backup' ? { kind: 'recipients', recipients: [recipient] } : { kind: 'recipients', identities: [identity] };
}

const SIZE = 30 * MiB;
const combos: Array<[CompressionSpec['kind'], EncKind]> = [];
for (const c of ['zstd', 'gzip'] as const) for (const e of ['none', 'passphrase', 'recipients'] as const) combos.push([c, e]);

describe.each(combos)('round trip %s + %s encryption', (compressionKind, encKind) => {
  it('restores 30 MiB byte for byte, and the standard tools open the stored object', async () => {
    const compression = { kind: compressionKind } as CompressionSpec;
    const file = join(dir, `obj-${compressionKind}-${encKind}`);
    const source = new MixedSource({ size: SIZE });
    const backup = await runPipeline({ direction: 'backup', source, sink: createWriteStream(file), compression, encryption: encryption(encKind, 'backup') });
    expect(backup.rawBytes).toBe(SIZE);
    expect(backup.rawSha256).toBe(source.sha256);
    // Half the data is text: the stored object must be clearly smaller than the raw stream.
    expect(backup.storedBytes).toBeLessThan(SIZE * 0.8);

    const sink = new MeasuringSink();
    const restore = await runPipeline({
      direction: 'restore',
      source: createReadStream(file),
      sink,
      compression,
      encryption: encryption(encKind, 'restore'),
      expected: backup,
    });
    expect(sink.sha256).toBe(source.sha256);
    expect(sink.finished).toBe(true);
    // Checked against the stored sha256, the raw side is counted, not hashed again.
    expect(restore).toMatchObject({ rawBytes: SIZE, storedBytes: backup.storedBytes, storedSha256: backup.storedSha256 });
    expect(restore.rawSha256).toBeUndefined();

    // By hand, without Hindsight:
    const stored = await shellSha256(`cat '${file}'`);
    expect(stored.sha256).toBe(backup.storedSha256);
    if (encKind === 'none') {
      const cli = await cliDecode(file, compressionKind);
      expect(cli).toMatchObject({ code: 0, sha256: source.sha256 });
    } else if (encKind === 'recipients') {
      const cli = await cliDecodeWithIdentity(file, identityFile, compressionKind);
      expect(cli).toMatchObject({ code: 0, sha256: source.sha256 });
    } else {
      const out = `${file}.decrypted`;
      const r = await cliDecryptWithPassphrase(file, out, PASSPHRASE);
      expect(r.code, r.output).toBe(0);
      const cli = await shellSha256(`${decompressCommand(compressionKind)} < '${out}'`);
      expect(cli).toMatchObject({ code: 0, sha256: source.sha256 });
      await rm(out);
    }
    await rm(file);
  }, 60_000);
});

describe('sinks', () => {
  it('with a sinkBuffer, decodes ahead of a function sink that has not begun to read (bounded)', async () => {
    const file = join(dir, 'ahead');
    const b = await runPipeline({ direction: 'backup', source: new MixedSource({ size: 8 * MiB }), sink: createWriteStream(file), compression: { kind: 'zstd' }, encryption: { kind: 'none' } });
    const bufferedWhenBegun = async (sinkBuffer?: number) => {
      let buffered = -1;
      await runPipeline({
        direction: 'restore',
        source: createReadStream(file),
        compression: { kind: 'zstd' },
        encryption: { kind: 'none' },
        expected: b,
        chunkBytes: MiB,
        ...(sinkBuffer ? { sinkBuffer } : {}),
        sink: async (tail) => {
          await new Promise((r) => setTimeout(r, 500));
          buffered = tail.readableLength;
          for await (const c of tail) void c;
        },
      });
      return buffered;
    };
    expect(await bufferedWhenBegun(16 * MiB)).toBe(8 * MiB); // all of it, decoded and waiting
    const bounded = await bufferedWhenBegun(3 * MiB);
    expect(bounded).toBeGreaterThanOrEqual(3 * MiB);
    expect(bounded).toBeLessThan(5 * MiB); // the bound and a chunk
    expect(await bufferedWhenBegun()).toBeLessThanOrEqual(2 * MiB); // by default: about a chunk
    await rm(file);
  });

  it('feeds a function sink (the shape of RepositoryBackend.putObject) and returns its answer', async () => {
    const source = new MixedSource({ size: 3 * MiB });
    const result = await runPipeline({
      direction: 'backup',
      source,
      compression: { kind: 'zstd' },
      encryption: { kind: 'none' },
      sink: async (body) => {
        let bytes = 0;
        for await (const chunk of body) bytes += (chunk as Buffer).length;
        return { bytes };
      },
    });
    expect(result.sinkResult).toEqual({ bytes: result.storedBytes });
  });

  it('accepts an async iterable as the source', async () => {
    async function* chunks() {
      for (let i = 0; i < 10; i++) yield Buffer.alloc(100_000, i);
    }
    const sink = new MeasuringSink();
    const r = await runPipeline({ direction: 'backup', source: chunks(), sink, compression: { kind: 'gzip' }, encryption: { kind: 'none' } });
    expect(r.rawBytes).toBe(1_000_000);
    expect(sink.bytes).toBe(r.storedBytes);
  });

  it('handles an empty stream in every combination', async () => {
    for (const [c, e] of combos) {
      const file = join(dir, `empty-${c}-${e}`);
      const b = await runPipeline({ direction: 'backup', source: Readable.from([]), sink: createWriteStream(file), compression: { kind: c }, encryption: encryption(e, 'backup') });
      expect(b.rawBytes).toBe(0);
      const sink = new MeasuringSink();
      const r = await runPipeline({ direction: 'restore', source: createReadStream(file), sink, compression: { kind: c }, encryption: encryption(e, 'restore'), expected: b });
      expect(r.rawBytes).toBe(0);
      expect(sink.finished).toBe(true);
    }
  });
});
