/**
 * Point-in-time recovery of a PostgreSQL cluster onto a target container (docs/pitr.md, decision 6):
 *   plan      the window that holds the time, its base backup and the segments up to the first one
 *             received after the time — all from trusted records; the target's data directory on a
 *             named volume and a server of the same major version. Any refusal comes here, before
 *             anything is touched.
 *   recover   a new volume: the base tar through the tar guard, the segments (checked against the
 *             signed list by the pipeline) and recovery.signal beside it; then a server from the
 *             **target's** image (never an image the archive names), on no network, with
 *             restore_command, recovery_target_time and promote given on its command line; progress
 *             is the replay position against the last segment's end; stopped cleanly once promoted.
 *   swap      the target stopped, its data volume copied aside into a new volume on the host (the
 *             restore's safety copy, host-safety.ts, kept for the safety retention), cleared and
 *             filled from the recovered volume, started, checked (it answers, it is not in
 *             recovery); on any failure put back from the safety copy.
 * Copies between volumes run in helpers from the target's image, on the host: no byte of the
 * database crosses to the console for the swap. Each stage is announced through `onStep` before
 * it starts, so the console's journal (pitr-operation.ts) knows what a crash would leave.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import type { PitrRestoreResult as ContractPitrResult } from '../../../shared/contract/pitr.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { parseSegmentName, parseLsn, formatLsn, WAL_SEGMENT_BYTES, windowFor, type RecoverableWindow } from '../../../shared/wal.js';
import { makeHostSafetyCopy, putBackHostCopy } from '../restore/host-safety.js';
import type { Engine } from '../docker/engine.js';
import { restoreStored } from './stored-objects.js';
import type { RepositoryBackend } from '../repository/index.js';
import type { TrustedWriters } from '../signing/index.js';
import { postgresUser } from '../sources/commands.js';
import { createVolume } from '../sources/containers.js';
import { abortable, engineFailure } from '../sources/errors.js';
import { execCapture } from '../sources/exec.js';
import { removeHelpersOf, runInHelper } from '../sources/helper.js';
import { writeVolumeTar } from '../sources/volume-sink.js';
import { readClusterArchive, windowsOf, type BaseBackupRecord, type WalSegmentEntry } from './archive-records.js';
import { pgTimestamp, recover, startAndCheck, stopContainer, TARGET_NOT_REACHED, WAL_DIR } from './recovery-server.js';


/** Run with the recovered data directory at /v, the target's at /w (read-only), $1 = "uid:gid". */
const KEEP_TARGET_CONFIG = [
  'for f in postgresql.conf postgresql.auto.conf; do if [ -f "/w/$f" ] && [ ! -L "/w/$f" ]; then cat "/w/$f" > "/v/$f.new"; else : > "/v/$f.new"; fi; rm -rf "/v/$f"; mv "/v/$f.new" "/v/$f"; done',
  'for f in pg_hba.conf pg_ident.conf; do if [ -f "/w/$f" ] && [ ! -L "/w/$f" ]; then cat "/w/$f" > "/v/$f.new"; rm -rf "/v/$f"; mv "/v/$f.new" "/v/$f"; fi; done',
  'rm -rf /v/standby.signal',
  'chown -R "$1" /v && chmod 700 /v',
].join(' && ');

export interface PitrTargetFacts {
  container: string;
  image: string;
  /** The data directory inside the container, and the named volume mounted there. */
  pgdata: string;
  dataVolume: string;
  /** "uid:gid" owning the data directory (the server's user). */
  owner: string;
  serverVersion: string;
  superuser: string;
  path: string;
}

export interface PitrPlan {
  cluster: string;
  at: string;
  window: { from: string; to: string };
  base: BaseBackupRecord;
  segments: WalSegmentEntry[];
  /** Where replay ends at the latest: the end of the last segment. */
  targetLsn: string;
  target: PitrTargetFacts;
  bytes: number;
  /** The equivalent commands, for the plan shown and the by-hand path. */
  commands: string[];
}

const refused = (message: string) => new RpcError('INVALID_INPUT', message, 'refused: point-in-time');

function describeWindows(ws: RecoverableWindow[]): string {
  return ws.length ? ws.map((w) => `${w.from.toISOString()} … ${w.to.toISOString()}`).join('; ') : 'none (no base backup with its WAL yet)';
}

async function targetFacts(engine: Engine, container: string, signal?: AbortSignal): Promise<PitrTargetFacts> {
  const what = `Inspecting ${container} on ${engine.name}`;
  let info: Docker.ContainerInspectInfo;
  try {
    info = await abortable(engine.docker.getContainer(container).inspect({ abortSignal: signal } as object), signal, what);
  } catch (e) {
    throw engineFailure(e, what, signal, engine.localSocket);
  }
  const env = Object.fromEntries((info.Config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const pgdata = env.PGDATA ?? '/var/lib/postgresql/data';
  const mount = (info.Mounts ?? []).find((m) => m.Destination === pgdata);
  const name = info.Name.replace(/^\//, '');
  if (!mount || mount.Type !== 'volume' || !mount.Name) {
    throw refused(`The data directory of ${name} (${pgdata}) is ${mount ? `a ${mount.Type} mount` : 'not a volume'}; point-in-time recovery swaps a named volume. Restore by hand instead (README, "Point-in-time recovery").`);
  }
  if (!info.State.Running) throw refused(`${name} on ${engine.name} is ${info.State.Status}; start it first (its server's version and owner are read from it).`);
  const superuser = postgresUser(env);
  const run = (cmd: string[], w: string) => execCapture(engine, { container: info.Id, cmd }, { what: `${w} in ${name} on ${engine.name}`, ...(signal ? { signal } : {}) }).then((s) => s.trim());
  const serverVersion = await run(['psql', '-X', '-At', '-U', superuser, '-d', 'postgres', '-c', 'SHOW server_version_num'], 'Reading the server version');
  const owner = await run(['stat', '-c', '%u:%g', pgdata], 'Reading the owner of the data directory');
  if (!/^\d+:\d+$/.test(owner)) throw new RpcError('INTERNAL', `Reading the owner of ${pgdata} in ${name}: unexpected answer "${owner.slice(0, 40)}".`);
  return { container: name, image: info.Image, pgdata, dataVolume: mount.Name, owner, serverVersion, superuser, path: env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
}

/** The plan of a recovery to `at`, or a refusal saying why; reads, never writes. */
export async function planPointInTime(x: { engine: Engine; backend: RepositoryBackend; trusted: TrustedWriters; cluster: string; at: Date; target: string; signal?: AbortSignal }): Promise<PitrPlan> {
  const archive = await readClusterArchive(x.backend, x.cluster, x.trusted, x.signal);
  const windows = windowsOf(archive);
  const w = windowFor(windows, x.at);
  if (!w) throw refused(`${x.at.toISOString()} is outside the recoverable window of cluster ${x.cluster}: ${describeWindows(windows)}.${archive.problems.length ? ` Left out: ${archive.problems.join('; ')}` : ''}`);
  const base = archive.bases.find((b) => b.id === w.baseId)!;
  // Every segment of the window, to its end: replay stops at the first commit after the time,
  // and nothing says which segment holds it (a quiet server may commit nothing for hours; a
  // segment completed after the time may still end before that commit).
  const segments: WalSegmentEntry[] = w.segments.map((name) => archive.segments.get(name)!);
  const last = parseSegmentName(segments[segments.length - 1]!.name)!;
  const target = await targetFacts(x.engine, x.target, x.signal);
  if (target.serverVersion.slice(0, -4) !== base.serverVersion.slice(0, -4)) {
    throw refused(`The archive is of PostgreSQL ${base.serverVersion.slice(0, -4)}, ${target.container} runs ${target.serverVersion.slice(0, -4)}: a recovery needs the same major version.`);
  }
  const when = x.at.toISOString();
  return {
    cluster: x.cluster,
    at: when,
    window: { from: w.from.toISOString(), to: w.to.toISOString() },
    base,
    segments,
    targetLsn: formatLsn((last.index + 1n) * BigInt(WAL_SEGMENT_BYTES) - 1n),
    target,
    bytes: base.object.storedBytes + segments.reduce((a, s) => a + s.object.storedBytes, 0),
    commands: [
      `mkdir data wal && zstd -d < ${base.object.key} | tar -C data -xf -`,
      `for f in ${segments.map((s) => s.object.key).join(' ')}; do zstd -d < "$f" > wal/$(basename "$f" | cut -c1-24); done`,
      'touch data/recovery.signal && chmod 700 data',
      `postgres -D data -c "restore_command=cp $PWD/wal/%f %p" -c "recovery_target_time=${pgTimestamp(when)}" -c recovery_target_action=promote`,
    ],
  };
}

/** What the contract's pitr.restore answers for a plan (and, once run, what the run did). */
export function pitrResultOf(plan: PitrPlan, done?: { replayedTo: string; safetyVolume: string }): ContractPitrResult {
  return {
    cluster: plan.cluster,
    at: plan.at,
    window: plan.window,
    baseId: plan.base.id,
    segments: plan.segments.length,
    bytes: plan.bytes,
    target: plan.target.container,
    dataVolume: plan.target.dataVolume,
    commands: plan.commands,
    ...(done ? { done } : {}),
  };
}

/** The stages of a run, each announced before it starts (the journal's steps, restore/journal.ts). */
export const PitrRunStep = z.enum(['recover', 'stop-users', 'safety-copy', 'restore', 'restart', 'verify']);
export type PitrRunStep = z.infer<typeof PitrRunStep>;

/** The volume a run replays into, named after its operation (a crash's leftover can be found). */
export const recoveryVolumeOf = (opId: string) => `hindsight-pitr-${opId.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 200)}`;

/**
 * pitr.restore on the host's agent: the plan (from the records this agent checks itself), then the
 * recovery (runRecovery).
 */
export async function recoverToTime(x: { engine: Engine; backend: RepositoryBackend; trusted: TrustedWriters; cluster: string; at: string; target: string; opId: string; safetyImage?: string | undefined; ctx: TaskContext }): Promise<ContractPitrResult> {
  const plan = await planPointInTime({ engine: x.engine, backend: x.backend, trusted: x.trusted, cluster: x.cluster, at: new Date(x.at), target: x.target, signal: x.ctx.signal });
  return runRecovery({ ...x, plan });
}

/**
 * A planned recovery, wherever it runs (the console against the host's engine, or the host's
 * agent), reported to the task: each stage is a progress event with its `step`, which the
 * console's journal follows.
 */
export async function runRecovery(x: { engine: Engine; backend: RepositoryBackend; plan: PitrPlan; opId: string; safetyImage?: string | undefined; ctx: TaskContext }): Promise<ContractPitrResult> {
  const { engine, backend, plan, ctx } = x;
  const log = (message: string) => ctx.report({ type: 'log', level: 'info', message, ts: new Date().toISOString() });
  log(`Recovering cluster ${plan.cluster} to ${plan.at} onto ${plan.target.container} on ${engine.name}: base backup ${plan.base.id}, ${plan.segments.length} WAL segment(s)`);
  let step: PitrRunStep = 'recover';
  const r = await restorePointInTime({
    engine,
    backend,
    plan,
    opId: x.opId,
    ...(x.safetyImage ? { safetyImage: x.safetyImage } : {}),
    signal: ctx.signal,
    log,
    onStep: (s) => {
      step = s;
    },
    onProgress: (message, fraction) => ctx.report({ type: 'progress', message, fraction, step }),
  });
  log(`Done. ${plan.target.container}'s data as it was before is kept in volume ${r.safetyVolume} on ${engine.name}.`);
  return pitrResultOf(plan, { replayedTo: r.replayedTo, safetyVolume: r.safetyVolume });
}

export interface PitrRestoreResult {
  cluster: string;
  at: string;
  baseId: string;
  segments: number;
  replayedTo: string;
  safetyVolume: string;
  target: string;
}

type Progress = (message: string, fraction: number | null) => void;

/** A script run as root in a helper from the target's image, with `volume` at /v (and a second at /w). */
async function inImage(engine: Engine, image: string, volume: string, script: string, args: string[], what: string, opts: { second?: { volume: string; readOnly: boolean }; signal?: AbortSignal } = {}): Promise<void> {
  await runInHelper(engine, { purpose: 'volume-sink', image, volume, target: '/v', readOnly: false, script, args: ['hindsight-pitr', ...args], ...(opts.second ? { second: { volume: opts.second.volume, target: '/w', readOnly: opts.second.readOnly } } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }, what);
}

/** Runs the plan: recover into a new volume, then swap it in with a safety copy and rollback. */
export async function restorePointInTime(x: {
  engine: Engine;
  backend: RepositoryBackend;
  plan: PitrPlan;
  /** Names the recovery volume and the safety copy (and labels the copy, for the safety sweep). */
  opId: string;
  /**
   * The image whose bash and GNU tar make the safety copy and fill the data volume: the agent's
   * when the host runs one; else the target's own (Debian-based PostgreSQL images have both; an
   * Alpine one has no GNU tar, and the copy then fails before anything is touched).
   */
  safetyImage?: string;
  signal?: AbortSignal;
  onProgress?: Progress;
  log?: (message: string) => void;
  onStep?: (step: PitrRunStep) => void;
}): Promise<PitrRestoreResult> {
  const { engine, plan, signal } = x;
  const t = plan.target;
  const say = x.log ?? (() => undefined);
  const progress: Progress = x.onProgress ?? (() => undefined);
  const step = x.onStep ?? (() => undefined);
  const recovered = recoveryVolumeOf(x.opId);
  step('recover');
  await createVolume(engine, recovered, { 'org.hindsight.created-by': 'hindsight', 'org.hindsight.pitr': plan.cluster }, signal);
  try {
    // 1. The base backup, through the tar guard.
    // Bytes restored against the whole (base backup and WAL), for the first half of the bar.
    let moved = 0;
    const bytes = (n: number, what: string) => progress(`${what}: ${(n / 1048576).toFixed(1)} of ${(plan.bytes / 1048576).toFixed(1)} MiB stored`, (0.5 * n) / (plan.bytes || 1));
    progress(`Extracting base backup ${plan.base.id}`, 0);
    await restoreStored(x.backend, plan.base.object, (s) => writeVolumeTar({ engine, volume: recovered, tar: s, clear: true, ...(signal ? { signal } : {}) }), signal, (n) => bytes(n, `Extracting base backup ${plan.base.id}`));
    moved = plan.base.object.storedBytes;
    // 2. The segments and recovery.signal, one tar made here (each segment checked as it passes).
    const [uid, gid] = t.owner.split(':').map(Number) as [number, number];
    const pack = tar.pack();
    const staged = writeVolumeTar({ engine, volume: recovered, tar: Readable.from(pack), clear: false, ...(signal ? { signal } : {}) });
    const filling = (async () => {
      pack.entry({ name: './recovery.signal', size: 0, mode: 0o600, uid, gid }, Buffer.alloc(0));
      pack.entry({ name: `./${WAL_DIR}/`, type: 'directory', mode: 0o700, uid, gid }, Buffer.alloc(0));
      // Each segment checked whole before any of it is staged: through the pipeline into a file
      // of this process (one segment, 16 MiB, at a time), then from the file into the tar.
      const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-wal-'));
      try {
        for (const s of plan.segments) {
          const file = path.join(scratch, s.name);
          await restoreStored(x.backend, s.object, (raw) => pipeline(raw, createWriteStream(file, { mode: 0o600 })), signal, (n) => bytes(moved + n, `Staging WAL ${s.name}`));
          moved += s.object.storedBytes;
          await new Promise<void>((resolve, reject) => {
            const from = createReadStream(file);
            from.on('error', reject);
            from.pipe(pack.entry({ name: `./${WAL_DIR}/${s.name}`, size: s.object.rawBytes, mode: 0o600, uid, gid }, (e) => (e ? reject(e) : resolve())));
          });
          await fs.rm(file, { force: true });
        }
      } finally {
        await fs.rm(scratch, { recursive: true, force: true });
      }
      pack.finalize();
    })();
    filling.catch((e: unknown) => pack.destroy(e instanceof Error ? e : new Error(String(e))));
    // Both settle before going on (no helper left writing); a segment's own failure (its checksum) is the one to tell.
    const [fill, stage] = await Promise.allSettled([filling, staged]);
    if (fill.status === 'rejected') throw fill.reason;
    if (stage.status === 'rejected') throw stage.reason;
    // The target keeps its own configuration: production's postgresql.conf could name a library
    // or a command (shared_preload_libraries, archive_command…) that would then run on the target.
    // Its settings files come from the target's data directory (empty when it keeps them
    // elsewhere), and nothing may turn the recovery into a standby that never ends.
    await inImage(engine, t.image, recovered, KEEP_TARGET_CONFIG, [t.owner], `Keeping ${t.container}'s own configuration`, { second: { volume: t.dataVolume, readOnly: true }, ...(signal ? { signal } : {}) });

    // 3. Recovery in a server from the target's image.
    progress(`Replaying WAL to ${plan.at}`, 0.5);
    const onReplay = (lsn: string) => {
      const done = Number(parseLsn(lsn) - parseLsn(plan.base.startLsn));
      const all = Number(parseLsn(plan.targetLsn) - parseLsn(plan.base.startLsn)) || 1;
      progress(`Replaying WAL to ${plan.at}: at ${lsn} of at most ${plan.targetLsn}`, 0.5 + 0.3 * Math.min(1, done / all));
    };
    let replayedTo: string;
    try {
      replayedTo = await recover(engine, plan, recovered, signal, onReplay, true);
    } catch (e) {
      // No commit after the time anywhere in the archive, which reaches past the time (the
      // window): nothing committed between the time and the archive's end, so the end IS the
      // state at the time. Replay on to the end (the server resumes from where it stopped).
      if (!(e instanceof Error && e.message.includes(TARGET_NOT_REACHED))) throw e;
      say(`no transaction committed after ${plan.at} in the archive (it reaches ${plan.window.to}): recovering to its end, the same state`);
      replayedTo = await recover(engine, plan, recovered, signal, onReplay, false);
    }
    say(`recovered to ${plan.at} (replay ended at ${replayedTo})`);
    await inImage(engine, t.image, recovered, 'rm -rf -- "/v/$1"', [WAL_DIR], 'Removing the staged WAL', { ...(signal ? { signal } : {}) });

    // 4. The swap, with its safety copy (kept on the host, like a restore's: host-safety.ts).
    step('stop-users');
    progress(`Stopping ${t.container}`, 0.8);
    await stopContainer(engine, t.container);
    step('safety-copy');
    progress(`Copying ${t.dataVolume} aside`, 0.82);
    const copier = x.safetyImage ?? t.image;
    const safety = await makeHostSafetyCopy(engine, { image: copier, volume: t.dataVolume, opId: x.opId, index: 0 }).catch(async (e: unknown) => {
      say(`the safety copy of ${t.dataVolume} failed: starting ${t.container} again, untouched`);
      await startAndCheck(engine, t).catch(() => undefined);
      throw e;
    });
    try {
      step('restore');
      progress(`Filling ${t.dataVolume} from the recovered volume`, 0.85);
      await putBackHostCopy(engine, { image: copier, copy: recovered, target: t.dataVolume });
      step('restart');
      progress(`Starting ${t.container}`, 0.95);
      await startAndCheck(engine, t, () => {
        step('verify');
        progress(`Checking that ${t.container} answers, out of recovery`, 0.97);
      });
    } catch (e) {
      say(`the swap failed (${e instanceof Error ? e.message : String(e)}): putting ${t.dataVolume} back from ${safety.volume}`);
      try {
        await stopContainer(engine, t.container);
        await putBackHostCopy(engine, { image: copier, copy: safety.volume, target: t.dataVolume });
        await startAndCheck(engine, t);
      } catch (e2) {
        throw new RpcError('INTERNAL', `ROLLBACK FAILED: the recovery failed and so did putting ${t.dataVolume} back (${e2 instanceof Error ? e2.message : String(e2)}); the copy is in volume ${safety.volume} on ${engine.name}.`, 'operation rollback-failed');
      }
      throw new RpcError(RpcError.is(e) ? e.code : 'INTERNAL', `The recovery was rolled back: ${e instanceof Error ? e.message : String(e)}`, 'operation failed');
    }
    progress('Recovered', 1);
    return { cluster: plan.cluster, at: plan.at, baseId: plan.base.id, segments: plan.segments.length, replayedTo, safetyVolume: safety.volume, target: t.container };
  } finally {
    await removeHelpersOf(engine, recovered).catch(() => undefined);
    await engine.docker
      .getVolume(recovered)
      .remove()
      .catch((e: unknown) => say(`could not remove the recovery volume ${recovered} on ${engine.name}: ${e instanceof Error ? e.message : String(e)}`));
  }
}

