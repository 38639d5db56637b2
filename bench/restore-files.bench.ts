/**
 * Benchmark (not a test), the second part of `npm run bench`: peak RSS of a restore of a volume
 * holding 1,000,000 small files (target < 300 MiB) — the tar guard, its canonical rewrite and the
 * upload to the engine must not keep anything per file. Needs the lab.
 *   npx tsx bench/restore-files.bench.ts [--files=N]   (default 1,000,000)
 *
 * 1. A tar of N files of 16 bytes in directories of 1,000 (generated as a stream, never held),
 *    stored the way a backup stores it (pipeline: guard + hashes + zstd → a local repository).
 * 2. restoreOne into a new volume on uat: repository → stored hash → zstd -d → raw hash → guard and
 *    canonical rewrite → the engine's archive endpoint. RSS sampled every 50 ms.
 * 3. Counts the files in the volume (find | wc -l), prints the figures, removes the volume.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { encodeHeader, paxBlocks } from '../electron/core/pipeline/tar-encode.js';
import { initRepository, LocalBackend } from '../electron/core/repository/index.js';
import { restoreOne } from '../electron/core/restore/data-moves.js';
import { countBuffersInHeapLimit } from '../electron/core/pipeline/heap-accounting.js';
import { writeSnapshot } from '../electron/core/restore/testing/snapshot-fixture.js';
import { BUSYBOX, labEngines, removeQuietly, uniqueName } from '../electron/core/sources/testing/lab-engines.js';
import { dockerCli } from '../electron/core/testing/lab.js';

const opt = (name: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const FILES = Number(opt('files') ?? 1_000_000);
const PER_DIR = 1000;
const MiB = 1024 * 1024;

/** The tar, produced on demand in 1 MiB-ish chunks: root, then per directory its files. */
function manyFilesTar(files: number): Readable {
  const content = Buffer.alloc(512);
  content.write('sixteen bytes!!\n');
  let i = -1;
  const entry = (name: string, typeflag: string, size: number) => {
    const { block, pax } = encodeHeader({ name, linkname: '', typeflag, mode: typeflag === '5' ? 0o755 : 0o644, uid: 0, gid: 0, size, mtime: 1_700_000_000, uname: '', gname: '' });
    return [...paxBlocks(pax), block];
  };
  return new Readable({
    read() {
      const out: Buffer[] = [];
      while (out.length < 2048) {
        if (i === -1) out.push(...entry('./', '5', 0));
        else if (i < files) {
          if (i % PER_DIR === 0) out.push(...entry(`./d${i / PER_DIR}/`, '5', 0));
          out.push(...entry(`./d${Math.floor(i / PER_DIR)}/f${i % PER_DIR}.txt`, '0', 16), content);
        } else {
          out.push(Buffer.alloc(1024));
          this.push(Buffer.concat(out));
          this.push(null);
          return;
        }
        i++;
      }
      this.push(Buffer.concat(out));
    },
  });
}

const lab = await labEngines();
const repoDir = await mkdtemp(join(tmpdir(), 'hindsight-bench-files-'));
const volume = uniqueName('hs-bench-files');
try {
  const backend = new LocalBackend(repoDir);
  await initRepository(backend);
  const host = { id: 'bench', name: 'bench' };
  let t0 = performance.now();
  const manifest = await writeSnapshot(backend, 'files', host, [{ name: 'files', kind: 'volume', format: 'tar', origin: { hostId: 'bench', hostName: 'bench', volume: 'files' }, open: async () => ({ stream: manyFilesTar(FILES) }) }], { signer: null });
  const src = manifest.sources[0]!;
  console.log(`stored ${FILES.toLocaleString('en')} files: ${(src.rawBytes / MiB).toFixed(0)} MiB of tar, ${(src.storedBytes / MiB).toFixed(1)} MiB stored, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  global.gc?.();
  // The restore as the console runs it: Buffers counted in V8's heap limit (createBackend does
  // the same); the snapshot's generation above ran with V8's default, so what it left is freed.
  if (!process.argv.includes('--default-gc')) countBuffersInHeapLimit();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  t0 = performance.now();
  const uat = await lab.engine('uat');
  const r = await restoreOne({ backend, engine: uat, src, target: volume });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  const count = Number(await dockerCli(lab.machine('uat'), 'run', '--rm', '-v', `${volume}:/v:ro`, BUSYBOX, 'sh', '-c', 'find /v -type f | wc -l'));

  console.log('\n| restore of a volume of small files | value |\n| --- | ---: |');
  console.log(`| files in the snapshot / found in the volume | ${FILES.toLocaleString('en')} / ${count.toLocaleString('en')} |`);
  console.log(`| entries the guard checked | ${r.tar?.entries.toLocaleString('en')} |`);
  console.log(`| time | ${seconds.toFixed(1)} s (${Math.round(FILES / seconds).toLocaleString('en')} files/s) |`);
  console.log(`| RSS before the restore | ${(before / MiB).toFixed(0)} MiB |`);
  console.log(`| **peak RSS during the restore** | **${(peak / MiB).toFixed(0)} MiB** (target < 300 MiB: ${peak < 300 * MiB ? 'met' : 'NOT met'}) |`);
  if (count !== FILES) process.exitCode = 1;
} finally {
  await removeQuietly(lab.machine('uat'), 'volume', volume);
  await lab.dispose();
  await rm(repoDir, { recursive: true, force: true });
}
