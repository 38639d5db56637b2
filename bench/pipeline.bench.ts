/**
 * Benchmark of the data pipeline (not a test): `npx tsx bench/pipeline.bench.ts [--size=MiB]`.
 *
 * Generates ≥ 1 GiB of mixed data on the fly (alternating log-like text and random 1 MiB blocks,
 * never stored), then measures each stage alone and the whole backup and restore pipelines, and
 * prints one table: MiB/s of raw data, each pipeline against its slowest stage, zstd against gzip,
 * and peak RSS. The stored objects of the backup runs go to a temp directory (a local-folder
 * repository does the same) and are read back by the restore runs, then deleted.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { createDecryptStage, createEncryptStage } from '../electron/core/pipeline/age.js';
import { createCompressor, createDecompressor } from '../electron/core/pipeline/compression.js';
import { HashMeter } from '../electron/core/pipeline/hash-meter.js';
import { runPipeline } from '../electron/core/pipeline/run-pipeline.js';
import { MixedSource, MiB } from '../electron/core/pipeline/testing/mixed-data.js';
import type { CompressionSpec, EncryptionSpec } from '../electron/core/pipeline/types.js';

const arg = (name: string, fallback: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
};
const SIZE = arg('size', 1024) * MiB;
/** Each run is repeated and the fastest kept: the build machines are shared, so noise only slows. */
const REPEAT = arg('repeat', 2);

interface Row {
  name: string;
  seconds: number;
  rawMiBs: number;
  rssMiB: number;
  /** CPU time of the process over wall time: 100% = one core busy. */
  cpuPercent: number;
}
const rows: Row[] = [];

function nullSink(): Writable {
  return new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
}

/**
 * Pipelines are fed 64 KiB chunks, like a socket or a file gives; a stage alone is fed the 1 MiB
 * chunks — its best case (the pipeline itself gathers 256 KiB), so the ratio pipeline / slowest
 * stage is not flattered.
 */
const source = (size = SIZE, chunkSize = 64 * 1024) => new MixedSource({ size, pool: true, hash: false, chunkSize });
/** 1 MiB, not DEFAULT_CHUNK_BYTES (256 KiB): zstd alone is fastest on 1 MiB chunks. */
const stageSource = () => source(SIZE, MiB);

/** Runs `work` REPEAT times and keeps the fastest run (and the highest RSS seen). */
async function measure(name: string, rawBytes: number, work: () => Promise<unknown>): Promise<Row> {
  let best: Row | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const row = await measureOnce(name, rawBytes, work);
    if (!best || row.seconds < best.seconds) best = { ...row, rssMiB: Math.max(row.rssMiB, best?.rssMiB ?? 0) };
    else best.rssMiB = Math.max(best.rssMiB, row.rssMiB);
  }
  rows.push(best!);
  process.stderr.write(`  ${name}: ${best!.rawMiBs.toFixed(0)} MiB/s\n`);
  return best!;
}

/** Runs `work`, sampling RSS every 20 ms; `rawBytes` is what the figure is per second of. */
async function measureOnce(name: string, rawBytes: number, work: () => Promise<unknown>): Promise<Row> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { name, seconds, rawMiBs: rawBytes / MiB / seconds, rssMiB: peak / MiB, cpuPercent: (used.user + used.system) / 10_000 / seconds };
}

const stage = (name: string, make: () => Duplex) => measure(name, SIZE, () => pipeline(stageSource(), make(), nullSink()));

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hindsight-bench-'));
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const enc: EncryptionSpec = { kind: 'recipients', recipients: [recipient] };
  const dec: EncryptionSpec = { kind: 'recipients', identities: [identity] };
  const zstd: CompressionSpec = { kind: 'zstd' };
  const gzip: CompressionSpec = { kind: 'gzip' };
  const none: EncryptionSpec = { kind: 'none' };
  process.stderr.write(`Benchmark: ${(SIZE / MiB).toFixed(0)} MiB of mixed data per run\n`);
  try {
    // Stages alone, each fed by the generator (measured alone first: it should cost ~nothing).
    const gen = await measure('source (generator alone)', SIZE, () => pipeline(source(), nullSink()));
    const hash = await stage('sha256', () => new HashMeter({ label: 'raw' }));
    const zst = await stage('zstd -3 compress', () => createCompressor(zstd, MiB));
    const zst1 = await stage('zstd -1 compress', () => createCompressor({ kind: 'zstd', level: 1 }, MiB));
    const gz = await stage('gzip -6 compress', () => createCompressor(gzip, MiB));
    const age = await stage('age encrypt (X25519)', () => createEncryptStage(enc));
    const write = await measure('file write (local repository)', SIZE, () => pipeline(stageSource(), createWriteStream(join(dir, 'plain'))));
    await rm(join(dir, 'plain'));

    // Whole pipelines.
    const backup = (name: string, compression: CompressionSpec, encryption: EncryptionSpec, file: string, size = SIZE) =>
      measure(name, size, () => runPipeline({ direction: 'backup', source: source(size), sink: createWriteStream(join(dir, file)), compression, encryption }));
    const bZstd = await backup('backup: zstd', zstd, none, 'o.zst');
    const bZstdAge = await backup('backup: zstd + age', zstd, enc, 'o.zst.age');
    const bZstd1 = await backup('backup: zstd -1', { kind: 'zstd', level: 1 }, none, 'o1.zst');
    await rm(join(dir, 'o1.zst'));
    const bGzip = await backup('backup: gzip', gzip, none, 'o.gz');
    const small = await backup('backup: zstd + age, ¼ size (RSS flatness)', zstd, enc, 'small.zst.age', SIZE / 4);
    await rm(join(dir, 'small.zst.age'));
    await rm(join(dir, 'o.gz'));

    // Restore stages alone, from the stored objects, per raw byte they stand for.
    const zstdD = await measure('zstd -d (from file)', SIZE, () => pipeline(createReadStream(join(dir, 'o.zst')), createDecompressor(zstd), nullSink()));
    const ageD = await measure('age decrypt (from file)', SIZE, () => pipeline(createReadStream(join(dir, 'o.zst.age')), createDecryptStage(dec), nullSink()));
    const restore = (name: string, encryption: EncryptionSpec, file: string) =>
      measure(name, SIZE, () => runPipeline({ direction: 'restore', source: createReadStream(join(dir, file)), sink: nullSink(), compression: zstd, encryption }));
    const rZstd = await restore('restore: zstd', none, 'o.zst');
    const rZstdAge = await restore('restore: zstd + age', dec, 'o.zst.age');

    const slowest = (...r: Row[]) => r.reduce((a, b) => (a.rawMiBs < b.rawMiBs ? a : b));
    const ratios: Array<[string, Row, Row]> = [
      ['backup: zstd', bZstd, slowest(hash, zst, write)],
      ['backup: zstd + age', bZstdAge, slowest(hash, zst, age, write)],
      ['backup: zstd -1', bZstd1, slowest(hash, zst1, write)],
      ['backup: gzip', bGzip, slowest(hash, gz, write)],
      ['restore: zstd', rZstd, slowest(hash, zstdD)],
      ['restore: zstd + age', rZstdAge, slowest(hash, zstdD, ageD)],
    ];
    print(gen, ratios, [bZstd, bZstd1, bGzip], small, bZstdAge);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function print(gen: Row, ratios: Array<[string, Row, Row]>, [bZstd, bZstd1, bGzip]: Row[], small: Row, big: Row): void {
  const line = (cells: string[], widths: number[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const w = [44, 9, 9, 10, 6];
  const out: string[] = [];
  out.push(`Hindsight pipeline benchmark — ${(SIZE / MiB).toFixed(0)} MiB mixed data per run (½ log-like text, ½ random), best of ${REPEAT}`);
  out.push(`Node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  out.push('');
  out.push(line(['run', 'seconds', 'MiB/s', 'peak RSS', 'CPU'], w));
  out.push(line(['-'.repeat(w[0]!), '-------', '-----', '--------', '----'], w));
  for (const r of rows) out.push(line([r.name, r.seconds.toFixed(2), r.rawMiBs.toFixed(0), `${r.rssMiB.toFixed(0)} MiB`, `${r.cpuPercent.toFixed(0)}%`], w));
  out.push('');
  out.push('MiB/s are of raw (uncompressed) data. Peak RSS is the whole process, sampled every 20 ms.');
  out.push('CPU is process CPU time over wall time (100% = one core); the thread pool counts too.');
  out.push('');
  out.push(line(['pipeline / its slowest stage', 'slowest', 'ratio'], [44, 24, 6]));
  for (const [name, p, s] of ratios) out.push(line([name, s.name.replace(/ \(.*\)$/, ''), (p.rawMiBs / s.rawMiBs).toFixed(2)], [44, 24, 6]));
  out.push('');
  out.push(`zstd pipeline vs gzip pipeline (backup): ${(bZstd!.rawMiBs / bGzip!.rawMiBs).toFixed(1)}× at zstd -3, ${(bZstd1!.rawMiBs / bGzip!.rawMiBs).toFixed(1)}× at zstd -1`);
  out.push(`peak RSS, zstd + age backup at ¼ size vs full size: ${small.rssMiB.toFixed(0)} MiB vs ${big.rssMiB.toFixed(0)} MiB`);
  out.push(`generator alone: ${gen.rawMiBs.toFixed(0)} MiB/s (its cost is inside every figure above)`);
  out.push(`process max RSS over the whole run: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(out.join('\n'));
}

await main();
