/**
 * Profiling helper (not a test, not the benchmark): runs ONE measurement of the backup path on a
 * volume that is kept between runs, so a CPU profile can be taken without regenerating data:
 *
 *   npx tsx bench/profile-backup.ts --create=512            # makes volume hs-profile (512 MiB)
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-backup.ts --what=backup
 *   npx tsx bench/profile-backup.ts --what=archive|backup|backup-gzip|direct [--volume=NAME]
 *
 * `direct` is what the agent does (ARCHITECTURE §8): the engine's own socket, no SSH, into the
 * lab's S3 server.
 *   npx tsx bench/profile-backup.ts --remove
 *
 * Summarise a profile with `npx tsx bench/profile-summary.ts /tmp/prof/<file>.cpuprofile`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Manifest } from '../shared/contract/snapshots.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runBackup } from '../electron/core/backup/run-backup.js';
import { freeVolume, removeVolume, restoreOne } from '../electron/core/restore/data-moves.js';
import { runPipeline } from '../electron/core/pipeline/run-pipeline.js';
import { TarGuard } from '../electron/core/pipeline/tar-guard.js';
import { HOLES } from '../electron/core/sources/holes.js';
import { initRepository, LocalBackend, S3Backend } from '../electron/core/repository/index.js';
import { createEngine } from '../electron/core/docker/engine.js';
import { openVolumeTar } from '../electron/core/sources/volume-source.js';
import { labEngines } from '../electron/core/sources/testing/lab-engines.js';
import { dockerCli, readLab } from '../electron/core/testing/lab.js';
import { MiB } from '../electron/core/pipeline/testing/mixed-data.js';
import { labCpuSeconds, labCpuSnapshot } from './lab-cpu.js';
import { fillVolume } from './volume-data.js';

const opt = (name: string): string | undefined => process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const flag = (name: string) => process.argv.includes(`--${name}`);
const VOLUME = opt('volume') ?? 'hs-profile';

/**
 * `--pipes=IMAGE`: as the agent does it (sources/pipe-tar.ts), GNU tar in helpers of IMAGE through a
 * named pipe in volume hs-pipes (this machine is the lab engines' host, so its folder is shared).
 */
async function pipesOf(machine: ReturnType<typeof readLab>['machines']['production']) {
  const image = opt('pipes');
  if (!image) return {};
  await dockerCli(machine, 'volume', 'create', 'hs-pipes');
  const dir = (await dockerCli(machine, 'volume', 'inspect', '-f', '{{.Mountpoint}}', 'hs-pipes')).trim();
  return { pipes: { dir, volume: 'hs-pipes', image } };
}

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
    const direct = what === 'direct' || flag('direct');
    const s3 = readLab().s3!;
    const engine = direct
      ? createEngine('production', { type: 'local', socketPath: prod.localSocket }, { ssh: undefined as never, passphrase: async () => undefined, ...(await pipesOf(prod)) })
      : await engines.engine('production');
    await engine.connect();
    let cpu = process.cpuUsage();
    const lab0 = labCpuSnapshot();
    let t0 = performance.now();
    let bytes = 0;
    let restoreSeconds: number | undefined;
    if (what === 'archive') {
      const src = await openVolumeTar({ engine, volume: VOLUME });
      src.stream.on('data', (c: Buffer) => (bytes += c.length));
      await pipeline(src.stream, new Writable({ write: (_c, _e, cb) => cb() }));
      await src.closed;
    } else {
      const backend = direct && !flag('local')
        ? new S3Backend({ ...(opt('part') ? { partSize: Number(opt('part')) << 20 } : {}), ...(opt('queue') ? { queueSize: Number(opt('queue')) } : {}), name: 'profile', endpoint: s3.endpoint, region: s3.region, bucket: 'hindsight-lab', prefix: `${opt('prefix') ?? `profile-${Date.now().toString(36)}`}/`, forcePathStyle: true, maxAttempts: 3, credentials: { source: 'keys', accessKeyId: s3.accessKeyId }, secrets: { secretAccessKey: s3.secretAccessKey } })
        : new LocalBackend(join(opt('local-dir') ?? dir, 'repo'));
      // `--prefix=P --save=FILE` then `--prefix=P --restore-from=FILE`: back up once, restore many
      // times (each restore timed alone, e.g. under /usr/bin/time or a system-wide CPU count).
      const saved = opt('restore-from');
      if (!saved) await initRepository(backend);
      const { manifest } = saved ? { manifest: JSON.parse(await readFile(saved, 'utf8')) as Manifest } : await runBackup({
        set: 'profile',
        host: { id: 'production', name: 'production' },
        engine,
        backend,
        sources: [{ kind: 'volume', volume: VOLUME }],
        compression: (opt('compression') as 'zstd' | 'gzip' | undefined) ?? (what === 'backup-gzip' ? 'gzip' : 'zstd'),
        encryption: { kind: 'none', spec: { kind: 'none' } },
        stopContainers: false,
        tags: [],
      }, { ...(opt('chunk') ? { chunkBytes: Number(opt('chunk')) * 1024 } : {}), ...(flag('trace') ? { report: (e: { type: string; message?: string; step?: string }) => { if (e.type !== 'progress' || !/MiB|KiB/.test(e.message ?? '')) process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(2)} ${e.type} ${e.step ?? ''} ${e.message ?? ''}\n`); } } : {}) } as never);
      bytes = manifest.sources[0]!.rawBytes;
      if (opt('save')) await writeFile(opt('save')!, JSON.stringify(manifest));
      if (flag('restore') || saved) {
        // `--restore`: then time restoring that snapshot into a new volume, as the restore runner's
        // data move does it (restoreOne), and report that instead.
        const target = `${VOLUME}-restored`;
        await dockerCli(prod, 'volume', 'rm', '-f', target).catch(() => undefined);
        process.stdout.write(`backup: ${((performance.now() - t0) / 1000).toFixed(2)} s; `);
        t0 = performance.now();
        cpu = process.cpuUsage();
        const src = manifest.sources[0]!;
        const to = opt('restore-to') ?? 'volume';
        const chunkBytes = opt('chunk') ? Number(opt('chunk')) * 1024 : undefined;
        if (to === 'volume') await restoreOne({ backend, engine, src, target, directory: undefined, decryption: undefined, onProgress: () => undefined, chunkBytes });
        else {
          // `--restore-to=null|guard`: the same pipeline into nothing (with the volume sink's guard or
          // without), to tell the pipeline's cost from the extraction's.
          const expected = { storedBytes: src.storedBytes, storedSha256: src.storedSha256, rawBytes: src.rawBytes, rawSha256: src.rawSha256 };
          const sink = new Writable({ write: (_c, _e, cb) => cb() });
          const guard = to === 'guard' ? [new TarGuard({ policy: 'reject', rewrite: { prefix: 'v/' } })] : to === 'holes' ? [new TarGuard({ policy: 'reject', rewrite: { prefix: 'v/' }, holes: HOLES })] : [];
          await runPipeline({ direction: 'restore', source: await backend.getObject(src.objectKey, { expectedSize: src.storedBytes }), compression: { kind: src.compression }, encryption: { kind: 'none' }, expected, sink, rawStages: guard, ...(chunkBytes ? { chunkBytes } : {}), ...(opt('hwm') ? { highWaterMark: Number(opt('hwm')) * 1024 } : {}) });
        }
        // The helper removes itself after it said how its tar ended (pipe-tar.ts), a moment after
        // the restore returns: removed here first, as a rollback frees a volume.
        restoreSeconds = (performance.now() - t0) / 1000;
        await freeVolume(engine, target);
        await removeVolume(engine, target);
      }
    }
    const s = restoreSeconds ?? (performance.now() - t0) / 1000;
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
