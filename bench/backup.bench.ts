/**
 * Benchmark of the whole backup path (not a test): `npm run bench` or
 * `npx tsx bench/backup.bench.ts [--size=MiB]` (default 1024). Needs the lab (`npm run lab:up`).
 *
 * 1. Generates a test volume on production: `--size` MiB of mixed data (alternating 1 MiB blocks
 *    of log-like text and random bytes, the pipeline benchmark's generator) in 8 files, written
 *    through `docker run -i busybox sh -c 'cat > …'`, plus 500 small files. Removed at the end.
 * 2. Measures, each alone: the archive API over the SSH tunnel (read and discard); sha256, zstd -3
 *    and gzip -6 on a generated stream of the same size; a local repository write; then the whole
 *    backup (volume → tar guard → hash → zstd → local repository, manifest last) and the same with
 *    gzip.
 * 3. Prints a table (MiB/s of raw data), the ratio whole backup / slowest stage (target ≥ 0.9),
 *    zstd backup / gzip backup (target ≥ 5×), and the peak RSS of this process while the backups
 *    ran (sampled every 100 ms; target < 300 MiB).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runBackup } from '../electron/core/backup/run-backup.js';
import { createCompressor, DEFAULT_CHUNK_BYTES } from '../electron/core/pipeline/compression.js';
import { HashMeter } from '../electron/core/pipeline/hash-meter.js';
import { MixedSource, MiB } from '../electron/core/pipeline/testing/mixed-data.js';
import { initRepository, LocalBackend } from '../electron/core/repository/index.js';
import { openVolumeTar } from '../electron/core/sources/volume-source.js';
import { BUSYBOX, labEngines } from '../electron/core/sources/testing/lab-engines.js';
import { dockerCli, readLab } from '../electron/core/testing/lab.js';

const arg = (name: string, fallback: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
};
const SIZE = arg('size', 1024) * MiB;
const FILES = 8;

interface Row {
  name: string;
  bytes: number;
  seconds: number;
  mibs: number;
  rssMiB: number;
  cpuPercent: number;
}
const rows: Row[] = [];

const nullSink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

/** Runs `work` (which returns the raw bytes it moved), sampling RSS every 100 ms. */
async function measure(name: string, work: () => Promise<number>): Promise<Row> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const bytes = await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  const row = { name, bytes, seconds, mibs: bytes / MiB / seconds, rssMiB: peak / MiB, cpuPercent: (used.user + used.system) / 10_000 / seconds };
  rows.push(row);
  process.stderr.write(`  ${name}: ${row.mibs.toFixed(0)} MiB/s (${(bytes / MiB).toFixed(0)} MiB in ${seconds.toFixed(1)} s, peak RSS ${row.rssMiB.toFixed(0)} MiB)\n`);
  return row;
}

const generated = () => new MixedSource({ size: SIZE, pool: true, hash: false, chunkSize: DEFAULT_CHUNK_BYTES });
const stage = (name: string, make: () => Duplex) =>
  measure(name, async () => {
    await pipeline(generated(), make(), nullSink());
    return SIZE;
  });

/** Streams `source` into a file of the volume through `docker run -i`. */
function writeIntoVolume(socket: string, volume: string, file: string, source: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['-H', `unix://${socket}`, 'run', '--rm', '-i', '--network', 'none', '-v', `${volume}:/v`, BUSYBOX, 'sh', '-c', `cat > /v/${file}`], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run exited ${code}`))));
    source.pipe(child.stdin);
  });
}

async function main(): Promise<void> {
  const lab = readLab();
  const prod = lab.machines.production;
  const volume = `hs-bench-${randomBytes(4).toString('hex')}`;
  const engines = await labEngines();
  const dir = await mkdtemp(join(tmpdir(), 'hindsight-backup-bench-'));
  const t0 = performance.now();
  process.stderr.write(`Backup benchmark: ${(SIZE / MiB).toFixed(0)} MiB of mixed data in volume ${volume} on production; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}\n`);
  try {
    await dockerCli(prod, 'volume', 'create', volume);
    const per = Math.floor(SIZE / FILES);
    for (let i = 0; i < FILES; i++) await writeIntoVolume(prod.localSocket, volume, `part-${i}.bin`, new MixedSource({ size: per, pool: true, hash: false, seed: i + 1 }));
    await dockerCli(prod, 'run', '--rm', '--network', 'none', '-v', `${volume}:/v`, BUSYBOX, 'sh', '-c', 'mkdir -p /v/small && for i in $(seq 1 500); do echo "file $i $(date)" > /v/small/f$i.txt; done');
    process.stderr.write(`  volume generated in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    const engine = await engines.engine('production');
    await engine.connect();
    const baseline = process.memoryUsage.rss() / MiB;
    process.stderr.write(`  RSS before measuring: ${baseline.toFixed(0)} MiB\n`);

    const archive = await measure('archive API over the SSH tunnel (read, discard)', async () => {
      const src = await openVolumeTar({ engine, volume });
      let n = 0;
      src.stream.on('data', (c: Buffer) => (n += c.length));
      await pipeline(src.stream, nullSink());
      await src.closed;
      return n;
    });
    const hash = await stage('sha256 (generated stream)', () => new HashMeter({ label: 'raw' }));
    const zstd = await stage('zstd -3 compress (generated stream)', () => createCompressor({ kind: 'zstd' }));
    const gzipStage = await stage('gzip -6 compress (generated stream)', () => createCompressor({ kind: 'gzip' }));
    const write = await measure('local repository write (generated stream)', async () => {
      const b = new LocalBackend(join(dir, 'write'));
      await b.putObject('data/x/o.bin', generated());
      await rm(join(dir, 'write'), { recursive: true, force: true });
      return SIZE;
    });

    const backup = (name: string, compression: 'zstd' | 'gzip') =>
      measure(name, async () => {
        const repoDir = join(dir, `repo-${compression}`);
        const backend = new LocalBackend(repoDir);
        await initRepository(backend);
        const { manifest } = await runBackup({
          set: 'bench',
          host: { id: 'production', name: 'production' },
          engine,
          backend,
          sources: [{ kind: 'volume', volume }],
          compression,
          encryption: { kind: 'none', spec: { kind: 'none' } },
          stopContainers: false,
          tags: [],
        });
        const s = manifest.sources[0]!;
        const copySeconds = (Date.parse(s.completedAt) - Date.parse(s.startedAt)) / 1000;
        process.stderr.write(
          `    ${compression}: ${(s.rawBytes / MiB).toFixed(0)} MiB → ${(s.storedBytes / MiB).toFixed(0)} MiB stored (ratio ${(s.rawBytes / s.storedBytes).toFixed(2)}), ` +
            `${s.fileCount} entries; the copy itself ${copySeconds.toFixed(1)} s (${(s.rawBytes / MiB / copySeconds).toFixed(0)} MiB/s)\n`,
        );
        await backend.close();
        await rm(repoDir, { recursive: true, force: true });
        return s.rawBytes;
      });
    const whole = await backup('whole backup: zstd → local repository', 'zstd');
    const wholeGzip = await backup('whole backup: gzip → local repository', 'gzip');

    const stages = [archive, hash, zstd, write];
    const slowest = stages.reduce((a, b) => (a.mibs < b.mibs ? a : b));
    const peak = Math.max(whole.rssMiB, wholeGzip.rssMiB);
    const lines = [
      '',
      '| measurement | MiB/s | seconds | CPU % | peak RSS MiB |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.name} | ${r.mibs.toFixed(0)} | ${r.seconds.toFixed(1)} | ${r.cpuPercent.toFixed(0)} | ${r.rssMiB.toFixed(0)} |`),
      '',
      `whole backup / slowest stage (${slowest.name}): ${(whole.mibs / slowest.mibs).toFixed(2)} (target ≥ 0.9)`,
      `zstd backup / gzip backup: ${(whole.mibs / wholeGzip.mibs).toFixed(2)}× (target ≥ 5×); zstd -3 alone / gzip -6 alone: ${(zstd.mibs / gzipStage.mibs).toFixed(2)}×`,
      `peak RSS during the backups: ${peak.toFixed(0)} MiB (target < 300 MiB; ${baseline.toFixed(0)} MiB before measuring, tsx and the SDKs loaded)`,
      `total time: ${((performance.now() - t0) / 1000).toFixed(0)} s for ${(SIZE / MiB).toFixed(0)} MiB; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)} at the end`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await dockerCli(prod, 'volume', 'rm', '-f', volume).catch((e: unknown) => process.stderr.write(`could not remove ${volume}: ${String(e)}\n`));
    await engines.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
