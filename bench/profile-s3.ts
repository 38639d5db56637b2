/**
 * Profiling helper: the S3 side alone — one object of `--mib` MiB (default 620, the stored size of
 * the benchmark volume) uploaded by S3Backend.putObject from memory, then read back, into the
 * lab's S3 server. Separates the repository's cost from the pipeline's in the agent benchmark.
 *   npx tsx bench/profile-s3.ts [--mib=620] [--part=8] [--queue=2]
 */
import { randomFillSync } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Backend } from '../electron/core/repository/index.js';
import { readLab } from '../electron/core/testing/lab.js';

const opt = (name: string): string | undefined => process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const MiB = 1 << 20;
const total = Number(opt('mib') ?? 620) * MiB;
const s3 = { ...readLab().s3!, ...(opt('endpoint') ? { endpoint: opt('endpoint')! } : {}) };
const backend = new S3Backend({
  name: 'profile', endpoint: s3.endpoint, region: s3.region, bucket: 'hindsight-lab', prefix: `profile-s3-${Date.now().toString(36)}/`, forcePathStyle: true, maxAttempts: 3,
  credentials: { source: 'keys', accessKeyId: s3.accessKeyId }, secrets: { secretAccessKey: s3.secretAccessKey },
  ...(opt('part') ? { partSize: Number(opt('part')) * MiB } : {}), ...(opt('queue') ? { queueSize: Number(opt('queue')) } : {}),
});
const block = randomFillSync(Buffer.alloc(MiB));
function body(): Readable {
  let sent = 0;
  return new Readable({ read() { if (sent >= total) { this.push(null); return; } sent += MiB; this.push(Buffer.from(block)); } });
}
let cpu = process.cpuUsage();
let t0 = performance.now();
await backend.putObject('object', body());
const put = (performance.now() - t0) / 1000;
const putCpu = process.cpuUsage(cpu);
if (process.argv.includes('--cold')) {
  // `--cold`: read it back from disk, not from the page cache.
  const { execFileSync } = await import('node:child_process');
  execFileSync('sync');
  (await import('node:fs')).writeFileSync('/proc/sys/vm/drop_caches', '3\n');
}
cpu = process.cpuUsage();
t0 = performance.now();
await pipeline(await backend.getObject('object'), new Writable({ write: (_c, _e, cb) => cb() }));
const get = (performance.now() - t0) / 1000;
const getCpu = process.cpuUsage(cpu);
const s = (x: NodeJS.CpuUsage) => `${((x.user + x.system) / 1e6).toFixed(2)} s CPU`;
console.log(`put ${total / MiB} MiB: ${put.toFixed(2)} s (${(total / MiB / put).toFixed(0)} MiB/s, ${s(putCpu)}); get: ${get.toFixed(2)} s (${(total / MiB / get).toFixed(0)} MiB/s, ${s(getCpu)})`);
await backend.deleteObject?.('object');
