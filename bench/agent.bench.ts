/**
 * The agent's direct data path against the relay and against restic (issue 9, item 8): `npm run
 * bench` (this file is its first part) or `npx tsx bench/agent.bench.ts [--size=MiB]` (default
 * 1024) [--trace] [--skip=relay,levels,restic] [--restores=N] [--safety] [--pairs=N] [--cpu]. BENCH_KEEP_AGENT=1 leaves the agent installed afterwards (to read its container). Needs the lab (`npm run lab:up`) and the agent image (`npm run build:agent`).
 *
 * On one generated volume on production (bench/volume-data.ts: 8 files of mixed data + 500 small
 * files), all into the lab's S3 server, one after the other in one run:
 *   relay backup / restore   the console on this machine, data through the SSH tunnel (§5)
 *   direct backup / restore  the same, with the agent on production: the agent moves the data
 *                            (helper ↔ agent ↔ S3), no tunnel (§8)
 *   restic 0.14              Debian's restic on production (its network namespace) reading the
 *                            volume's folder (first backup, unchanged second backup, restore into
 *                            a folder; the restore again from the lab host's namespace)
 * and prints MiB/s and `ratio direct-backup/restic-backup` and `ratio direct-restore/restic-restore`
 * as throughput ratios (above 1 = faster than restic). restic encrypts and deduplicates; Hindsight's
 * volume snapshots here are zstd-compressed tar, unencrypted (the default) — see the README.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HostInput } from '../shared/contract/hosts.js';
import { RepositoryInput } from '../shared/contract/repositories.js';
import type { TaskContext } from '../shared/contract/types.js';
import { createBackend } from '../electron/core/backend.js';
import { MiB } from '../electron/core/pipeline/testing/mixed-data.js';
import { dockerCli, readLab, sshConnectionOf, tempConfigDir } from '../electron/core/testing/lab.js';
import { fillVolume } from './volume-data.js';
import { watchAgentPeakRss, labCpuSeconds, labCpuSnapshot, machineCpuSeconds, processCpuSeconds } from './lab-cpu.js';

const run = promisify(execFile);
const opt = (name: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const SIZE = Number(opt('size') ?? 1024) * MiB;
const tag = Date.now().toString(36);
const lab = readLab();
const prod = lab.machines.production;
const s3 = lab.s3!;
const S3_PID_FILE = '/run/hindsight-lab/s3/s3.pid';
/** `--trace`: every log line and step change of each run, with the seconds since it began. */
const trace = process.argv.includes('--trace');
/**
 * `--cpu`: each run's CPU seconds — the whole machine's, production's (its sshd, engine, the
 * agent, helpers: lab-cpu.ts), the lab's S3 server's and this console's — since on these 2 cores
 * a run is bound by the CPU all of them use.
 */
const cpu = process.argv.includes('--cpu');
/** `--skip=relay,levels,restic`: leave those parts out (when working on the direct path). */
const skip = (part: string) => (opt('skip') ?? '').split(',').includes(part);
const ctx = (): TaskContext => {
  const t0 = performance.now();
  let step = '';
  let quarter = -1;
  let said = '';
  return {
    signal: new AbortController().signal,
    report: (e) => {
      if (!trace) return;
      const s = ((performance.now() - t0) / 1000).toFixed(2);
      if (e.type === 'log') console.log(`    ${s} ${e.message}`);
      else if (e.type === 'progress' && e.step && e.step !== step) console.log(`    ${s} step ${(step = e.step)}: ${e.message}`);
      // A plan's run on the agent reports messages only: each new one (numbers aside).
      else if (e.type === 'progress' && !e.step && e.message.replace(/[\d.,]+/g, '#') !== said) console.log(`    ${s} ${(said = e.message.replace(/[\d.,]+/g, '#')) && e.message}`);
      // Where the data starts and how it flows: the first byte, then each quarter.
      if (e.type === 'progress' && e.bytesDone !== undefined && e.bytesTotal) {
        const q = e.bytesDone === 0 ? -1 : Math.floor((4 * e.bytesDone) / e.bytesTotal);
        if (q > quarter) console.log(`    ${s} ${(quarter = q) === 0 ? 'first bytes' : `${q * 25} %`} (${(e.bytesDone / MiB).toFixed(0)} MiB)`);
      }
    },
  };
};
const rows: { name: string; seconds: number }[] = [];
/** Incremental levels: stored bytes and the level each run made. */
const stored: Array<[string, number, number | undefined]> = [];

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  // The previous run's written data goes to disk first, not during this one's measurement; then
  // every run starts from an empty page cache (`--warm` keeps it). On this VM a page the guest
  // never touched costs far more than one it freed, so without it each run paid for the cache the
  // runs before it had grown, whoever they were: the same direct backup took 10.2 s after the
  // restic runs alone and 13.9 s after the relay's; the S3 server's join of its parts 0.8 s of CPU
  // against 2 s.
  await run('sync');
  if (!process.argv.includes('--warm')) await writeFile('/proc/sys/vm/drop_caches', '3\n').catch(() => console.log('  (could not drop the page cache: not root?)'));
  const before = { machine: machineCpuSeconds(), production: labCpuSnapshot('production'), s3: processCpuSeconds(S3_PID_FILE), console: process.cpuUsage() };
  const started = performance.now();
  const out = await work();
  const seconds = (performance.now() - started) / 1000;
  rows.push({ name, seconds });
  const used = () => {
    const own = process.cpuUsage(before.console);
    const production = labCpuSeconds(before.production, labCpuSnapshot('production'));
    return `   [CPU-s: machine ${(machineCpuSeconds() - before.machine).toFixed(1)}, production ${production.toFixed(1)}, S3 server ${(processCpuSeconds(S3_PID_FILE) - before.s3).toFixed(1)}, console ${((own.user + own.system) / 1e6).toFixed(1)}]`;
  };
  console.log(`  ${name}: ${seconds.toFixed(2)} s${cpu ? used() : ''}`);
  return out;
}

async function main() {
  // The console's own folder (journals, audit log: each write fsynced) on a filesystem of its own,
  // as a console's disk is never the host's. In the lab every machine shares this machine's one
  // disk, where ext4 makes an fsync wait for the data a restore just wrote to be written out: the
  // console's journal then paid for the host's writeback (0.3–0.6 s per restore, measured).
  const consoleDisk = await access('/dev/shm').then(() => '/dev/shm', () => undefined);
  const cfg = await tempConfigDir({ pinned: true, ...(consoleDisk ? { base: consoleDisk } : {}) });
  const backend = await createBackend({ configDir: cfg.dir, seedLocalHost: false, userKnownHostsPath: null, agentSocket: undefined });
  const h = backend.handlers;
  const volume = `bench-agent-${tag}`;
  const restored = [`bench-relay-restored-${tag}`, `bench-direct-restored-${tag}`, `bench-levels-restored-${tag}`];
  const resticTarget = await mkdtemp(join(tmpdir(), 'bench-restic-'));
  let hostId = '';
  const agentRss = watchAgentPeakRss();
  try {
    hostId = (await h.hosts.add(HostInput.parse({ name: 'production', connection: sshConnectionOf(prod) }))).id;
    const repositoryId = (
      await h.repositories.add(
        RepositoryInput.parse({ name: 'bench-s3', kind: 's3', endpoint: s3.endpoint, region: s3.region, bucket: 'hindsight-lab', prefix: `bench-agent-${tag}/`, forcePathStyle: true, credentials: { source: 'keys', accessKeyId: s3.accessKeyId }, secretAccessKey: s3.secretAccessKey }),
      )
    ).id;
    await h.repositories.init({ id: repositoryId });
    console.log(`bench: generating ${SIZE / MiB} MiB in volume ${volume} on production…`);
    await dockerCli(prod, 'volume', 'create', volume);
    await fillVolume(prod, volume, SIZE);

    const sourceName = volume;
    if (!skip('relay')) {
      console.log('bench: relay (through this console)');
      const relay = await timed('relay backup', () => h.backup.run.run({ hostId, repositoryId, sources: [{ kind: 'volume', volume }], set: 'bench-relay', compression: 'zstd', stopContainers: false, tags: [] }, ctx()));
      await timed('relay restore', () => h.restore.run.run({ repositoryId, snapshotId: relay.snapshotId, targetHostId: hostId, map: { [sourceName]: restored[0]! }, paths: {}, safetyCopy: false, note: 'benchmark', allowUnsigned: false }, ctx()));
    }

    console.log('bench: installing the agent on production');
    await h.agent.install.run({ hostId }, ctx());
    const plan = await h.plans.add({ name: 'bench-direct', hostId, repositoryId, sources: [{ kind: 'volume', volume }], schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: {}, notify: [], catchUpHours: 24, retries: 0 });
    console.log('bench: direct (the agent on production)');
    const direct = await timed('direct backup', () => h.plans.run.run({ id: plan.id }, ctx()));
    // The console's restore, as clicked: with an agent on the host, the agent moves the data.
    // `--restores=N`: the direct restore N times, to see the spread. Each into a volume that does not
    // exist yet, as restic's restores go into a folder removed before each (clearing 1 GiB first
    // cost the direct restore 0.4 s that restic's did not pay).
    // `--safety`: after the first, each over the volume the one before made, with a safety copy of
    // it kept on the host first — a restore as the console runs it by default.
    const safety = process.argv.includes('--safety');
    for (let i = Number(opt('restores') ?? 1); i > 0; i--) {
      if (!safety) await dockerCli(prod, 'volume', 'rm', '-f', restored[1]!).catch(() => undefined);
      await timed('direct restore', () => h.restore.run.run({ repositoryId, snapshotId: direct.snapshotId, targetHostId: hostId, map: { [sourceName]: restored[1]! }, paths: {}, safetyCopy: safety, note: 'benchmark', allowUnsigned: false }, ctx()));
    }

    if (!skip('levels')) {
      // Incremental levels (issue 10 item 1): made by the agent, as `hindsight backup --incremental`.
      console.log('bench: incremental levels (the agent on production)');
      const levels = (name: string) => timed(name, () => h.backup.run.run({ hostId, repositoryId, sources: [{ kind: 'volume', volume, incremental: { fullEvery: { days: 7 } } }], set: 'bench-levels', compression: 'zstd', stopContainers: false, tags: [] }, ctx()));
      const l0 = await levels('level 0 (full)');
      const l1 = await levels('level 1 (unchanged)');
      await dockerCli(prod, 'run', '--rm', '--network', 'none', '-v', `${volume}:/v`, 'hindsight-lab/busybox:latest', 'sh', '-c', 'head -c 10485760 /dev/urandom > /v/changed-10MiB');
      const l2 = await levels('level 2 (10 MiB changed)');
      await timed('restore of level 2', () => h.restore.run.run({ repositoryId, snapshotId: l2.snapshotId, targetHostId: hostId, map: { [sourceName]: restored[2]! }, paths: {}, safetyCopy: false, note: 'benchmark', allowUnsigned: false }, ctx()));
      stored.push(['level 0 (full)', l0.storedBytes, l0.sources[0]?.level], ['level 1 (unchanged)', l1.storedBytes, l1.sources[0]?.level], ['level 2 (10 MiB changed)', l2.storedBytes, l2.sources[0]?.level]);
    }

    if (skip('restic')) return;
    console.log('bench: restic 0.14 (on production: reading the volume folder, through production\'s network)');
    const folder = await dockerCli(prod, 'volume', 'inspect', '-f', '{{.Mountpoint}}', volume);
    const env = { ...process.env, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, RESTIC_PASSWORD: 'bench', RESTIC_REPOSITORY: `s3:${s3.endpoint}/hindsight-lab/bench-restic-${tag}` };
    // restic runs where the agent runs: on production, whose network is its namespace (lab/lib.sh
    // netns_of), reaching the S3 server through the lab's gateway as the agent does
    // (lab/gateway.sh: two socats, ~0.3 CPU-seconds per GiB each on these 2 cores). Run from the
    // lab host's own namespace it would skip them: that run is printed too, for comparison.
    const netns = `/run/netns/hl-${prod.name}`;
    const onProduction = await access(netns).then(() => true, () => false);
    const restic = (where: 'production' | 'lab host', ...args: string[]) =>
      where === 'production' && onProduction
        ? run('nsenter', [`--net=${netns}`, '--', 'restic', '--quiet', ...args], { env, maxBuffer: 64 << 20 })
        : run('restic', ['--quiet', ...args], { env, maxBuffer: 64 << 20 });
    if (!onProduction) console.log(`  (no ${netns}: restic runs in this namespace)`);
    await restic('production', 'init');
    await timed('restic backup', () => restic('production', 'backup', folder));
    await timed('restic backup (unchanged)', () => restic('production', 'backup', folder));
    await timed('restic restore', () => restic('production', 'restore', 'latest', '--target', resticTarget));
    if (onProduction) {
      await rm(resticTarget, { recursive: true, force: true });
      await timed('restic restore, from the lab host (no gateway)', () => restic('lab host', 'restore', 'latest', '--target', resticTarget));
    }
    // `--pairs=N`: N more rounds of the direct restore and restic's, alternated, each from an empty
    // page cache: runs of one day vary by ±15 %, so a ratio of medians says more than one pair.
    for (let i = 1; i <= Number(opt('pairs') ?? 0); i++) {
      await dockerCli(prod, 'volume', 'rm', '-f', restored[1]!).catch(() => undefined);
      await timed(`pair ${i}: direct restore`, () => h.restore.run.run({ repositoryId, snapshotId: direct.snapshotId, targetHostId: hostId, map: { [sourceName]: restored[1]! }, paths: {}, safetyCopy: false, note: 'benchmark', allowUnsigned: false }, ctx()));
      await rm(resticTarget, { recursive: true, force: true });
      await timed(`pair ${i}: restic restore`, () => restic('production', 'restore', 'latest', '--target', resticTarget));
    }
  } finally {
    const agentPeak = agentRss.stop();
    if (agentPeak) console.log(`  the agent's peak RSS over these runs: ${agentPeak.toFixed(0)} MiB (its largest process)`);
    console.log(`  this console's peak RSS (the relay's runs): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    if (!process.env.BENCH_KEEP_AGENT) await h.agent.remove.run({ hostId, purge: true }, ctx()).catch(() => undefined);
    for (const v of [volume, ...restored]) await dockerCli(prod, 'volume', 'rm', '-f', v).catch(() => undefined);
    await rm(resticTarget, { recursive: true, force: true });
    await backend.dispose();
    await cfg.cleanup();
  }

  const has = (n: string) => rows.some((r) => r.name === n);
  const sec = (n: string) => rows.find((r) => r.name === n)!.seconds;
  const mibs = (n: string) => SIZE / MiB / sec(n);
  console.log(`\n| ${SIZE / MiB} MiB volume | seconds | MiB/s |\n|---|---:|---:|`);
  for (const r of rows) console.log(`| ${r.name} | ${r.seconds.toFixed(2)} | ${mibs(r.name).toFixed(0)} |`);
  if (stored.length === 3) {
    console.log(`\n| incremental | level | stored |\n|---|---:|---:|`);
    for (const [name, bytes, level] of stored) console.log(`| ${name} | ${level ?? '-'} | ${bytes < MiB ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / MiB).toFixed(2)} MiB`} |`);
    console.log(`\nlevels: the unchanged level stores ${((stored[1]![1] / stored[0]![1]) * 100).toFixed(3)} % of level 0 (target < 1 %)`);
    console.log(`levels: after 10 MiB changed, the level stores ${(stored[2]![1] / MiB).toFixed(2)} MiB (target ≤ 15 MiB)`);
    if (has('restic backup (unchanged)')) console.log(`ratio level-unchanged/restic-unchanged (time): ${(sec('level 1 (unchanged)') / sec('restic backup (unchanged)')).toFixed(2)} (target ≤ 2)`);
  }
  const pairs = rows.filter((r) => /^pair \d+: /.test(r.name));
  if (pairs.length) {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const of = (what: string) => [...pairs.filter((r) => r.name.endsWith(what)), ...rows.filter((r) => r.name === what)].map((r) => r.seconds);
    const [d, r] = [of('direct restore'), of('restic restore')];
    console.log(`\nrestores, alternated pairs and the first runs: direct median ${median(d).toFixed(2)} s of ${d.length}, restic median ${median(r).toFixed(2)} s of ${r.length}`);
    console.log(`ratio of medians direct-restore/restic-restore: ${(median(r) / median(d)).toFixed(2)}`);
  }
  if (!['relay backup', 'direct backup', 'restic backup', 'restic restore'].every(has)) return; // a partial run (--skip=…): no ratios
  console.log(`\nratio direct-backup/restic-backup: ${(sec('restic backup') / sec('direct backup')).toFixed(2)}`);
  console.log(`ratio direct-restore/restic-restore: ${(sec('restic restore') / sec('direct restore')).toFixed(2)}`);
  const noGateway = 'restic restore, from the lab host (no gateway)';
  if (has(noGateway)) console.log(`  (against restic from the lab host's namespace, which the agent cannot use: ${(sec(noGateway) / sec('direct restore')).toFixed(2)})`);
  console.log(`ratio direct-backup/relay-backup: ${(sec('relay backup') / sec('direct backup')).toFixed(2)}`);
  console.log(`ratio direct-restore/relay-restore: ${(sec('relay restore') / sec('direct restore')).toFixed(2)}`);
}

await main();
