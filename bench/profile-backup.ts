/**
 * Profiling helper (not a test, not the benchmark): runs ONE measurement of the backup path on a
 * volume that is kept between runs, so a CPU profile can be taken without regenerating data:
 *
 *   npx tsx bench/profile-backup.ts --create=512            # makes volume hs-profile (512 MiB)
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-backup.ts --what=backup
 *   npx tsx bench/profile-backup.ts --what=archive|backup|backup-gzip [--volume=NAME]
 *   npx tsx bench/profile-backup.ts --remove
 *
 * Summarise a profile with `npx tsx bench/profile-summary.ts /tmp/prof/<file>.cpuprofile`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runBackup } from '../electron/core/backup/run-backup.js';
import { initRepository, LocalBackend } from '../electron/core/repository/index.js';
import { openVolumeTar } from '../electron/core/sources/volume-source.js';
import { labEngines } from '../electron/core/sources/testing/lab-engines.js';
import { dockerCli, readLab } from '../electron/core/testing/lab.js';
import { MiB } from '../electron/core/pipeline/testing/mixed-data.js';
import { labCpuSeconds, labCpuSnapshot } from './lab-cpu.js';
import { fillVolume } from './volume-data.js';

const opt = (name: string): string | undefined => process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const flag = (name: string) => process.argv.includes(`--${name}`);
const VOLUME = opt('volume') ?? 'hs-profile';

async function main(): Promise<void> {
  const prod = readLab().machines.production;
  if (flag('remove')) {
    await dockerCli(prod, 'volume', 'rm', '-f', VOLUME);
    return;
  }
  const create = opt('create');
  if (create) {
    await dockerCli(prod, 'volume', 'create', VOLUME);
    await fillVolume(prod, VOLUME, Number(create) * MiB);
    return;
  }
  const what = opt('what') ?? 'backup';
  const engines = await labEngines();
  const dir = await mkdtemp(join(tmpdir(), 'hindsight-profile-'));
  try {
    const engine = await engines.engine('production');
    await engine.connect();
    const cpu = process.cpuUsage();
    const lab0 = labCpuSnapshot();
    const t0 = performance.now();
    let bytes = 0;
    if (what === 'archive') {
      const src = await openVolumeTar({ engine, volume: VOLUME });
      src.stream.on('data', (c: Buffer) => (bytes += c.length));
      await pipeline(src.stream, new Writable({ write: (_c, _e, cb) => cb() }));
      await src.closed;
    } else {
      const backend = new LocalBackend(join(dir, 'repo'));
      await initRepository(backend);
      const { manifest } = await runBackup({
        set: 'profile',
        host: { id: 'production', name: 'production' },
        engine,
        backend,
        sources: [{ kind: 'volume', volume: VOLUME }],
        compression: what === 'backup-gzip' ? 'gzip' : 'zstd',
        encryption: { kind: 'none', spec: { kind: 'none' } },
        stopContainers: false,
        tags: [],
      }, opt('chunk') ? { chunkBytes: Number(opt('chunk')) * 1024 } : {});
      bytes = manifest.sources[0]!.rawBytes;
    }
    const s = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu);
    const labSeconds = labCpuSeconds(lab0, labCpuSnapshot());
    process.stdout.write(
      `${what}: ${(bytes / MiB).toFixed(0)} MiB in ${s.toFixed(2)} s = ${(bytes / MiB / s).toFixed(0)} MiB/s; ` +
        `CPU user ${(used.user / 1e6).toFixed(2)} s, system ${(used.system / 1e6).toFixed(2)} s; lab side (sshd, dockerd…) ${labSeconds.toFixed(2)} s\n`,
    );
  } finally {
    await engines.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
