/**
 * The PostgreSQL servers of a point-in-time recovery (pitr-restore.ts): the one that replays the
 * archive's WAL on the recovered volume, from the target's own image, on no network; and the target
 * itself, stopped for the swap and started again, checked to answer out of recovery.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { RpcError } from '../../../shared/contract/errors.js';
import type { Engine } from '../docker/engine.js';
import { HELPER_LABEL } from '../sources/containers.js';
import { engineFailure } from '../sources/errors.js';
import { execCapture } from '../sources/exec.js';
import { demuxedText, removeHelper } from '../sources/helper.js';
import type { PitrPlan, PitrTargetFacts } from './pitr-restore.js';

export const WAL_DIR = 'hindsight-wal';

/** A server from the target's image on the recovered volume, until it has promoted; the replay position as it goes. */
export const TARGET_NOT_REACHED = 'recovery ended before configured recovery target was reached';

/** `toTime` false: no target, replay to the end of the staged WAL (then promote). */
export async function recover(engine: Engine, plan: PitrPlan, volume: string, signal: AbortSignal | undefined, onReplay: (lsn: string) => void, toTime: boolean): Promise<string> {
  const t = plan.target;
  const body = {
    name: `hindsight-helper-pitr-${randomBytes(4).toString('hex')}`,
    Image: t.image,
    // The server binary itself, as the data directory's owner: nothing of the image's entrypoint, nothing the archive names.
    Entrypoint: ['postgres'],
    Cmd: ['-D', t.pgdata, '-c', `restore_command=cp ${t.pgdata}/${WAL_DIR}/%f "%p"`, ...(toTime ? ['-c', `recovery_target_time=${pgTimestamp(plan.at)}`, '-c', 'recovery_target_action=promote'] : []), '-c', 'listen_addresses=', '-c', 'unix_socket_directories=/tmp', '-c', 'archive_mode=off'],
    User: t.owner,
    Env: [`PATH=${t.path}`, `PGDATA=${t.pgdata}`],
    NetworkDisabled: true,
    Labels: { [HELPER_LABEL]: 'true', [`${HELPER_LABEL}.purpose`]: 'pitr-recovery', [`${HELPER_LABEL}.volume`]: volume },
    HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: volume, Target: t.pgdata, ReadOnly: false, VolumeOptions: { NoCopy: true } }] },
  };
  const what = `Recovering cluster ${plan.cluster} on ${engine.name}`;
  let c: Docker.Container;
  try {
    c = await engine.docker.createContainer(body as unknown as Docker.ContainerCreateOptions);
    await c.start();
  } catch (e) {
    throw engineFailure(e, what, signal, engine.localSocket);
  }
  try {
    const q = (sql: string) => execCapture(engine, { container: c.id, cmd: ['psql', '-X', '-At', '-h', '/tmp', '-U', t.superuser, '-d', 'postgres', '-c', sql] }, { what }).then((s) => s.trim());
    for (;;) {
      if (signal?.aborted) throw new RpcError('CANCELLED', 'The recovery was cancelled.');
      await new Promise((r) => setTimeout(r, 1000));
      const state = (await c.inspect()).State;
      if (!state.Running) {
        const logs = demuxedText((await c.logs({ stdout: true, stderr: true, tail: 12 })) as unknown as Buffer);
        throw new RpcError('INTERNAL', `${what}: the server stopped (exit code ${state.ExitCode}) before recovering to ${plan.at}: ${logs.trim()}`);
      }
      const answer = await q('SELECT pg_is_in_recovery(), COALESCE(pg_last_wal_replay_lsn()::text, \'\')').catch(() => '');
      const [inRecovery, lsn] = answer.split('|');
      if (lsn) onReplay(lsn);
      if (inRecovery === 'f') {
        const end = await q('SELECT pg_current_wal_lsn()');
        await c.stop({ t: 60 });
        const exit = (await c.inspect()).State.ExitCode;
        if (exit !== 0) throw new RpcError('INTERNAL', `${what}: the server did not stop cleanly (exit code ${exit}).`);
        return end;
      }
    }
  } finally {
    await removeHelper(engine, c.id);
  }
}

/** "2026-12-06 09:46:59.676+00": what recovery_target_time reads (it refuses ISO's "T…Z"). */
export const pgTimestamp = (iso: string) => iso.replace('T', ' ').replace(/Z$/, '+00');

export async function stopContainer(engine: Engine, name: string): Promise<void> {
  try {
    await engine.docker.getContainer(name).stop({ t: 60 });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 304) throw engineFailure(e, `Stopping ${name} on ${engine.name}`, undefined, engine.localSocket);
  }
}

/** Starts the target and waits until its server answers out of recovery. */
export async function startAndCheck(engine: Engine, t: PitrTargetFacts, started?: () => void): Promise<void> {
  try {
    await engine.docker.getContainer(t.container).start();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 304) throw engineFailure(e, `Starting ${t.container} on ${engine.name}`, undefined, engine.localSocket);
  }
  started?.();
  const deadline = Date.now() + 120_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await execCapture(engine, { container: t.container, cmd: ['psql', '-X', '-At', '-U', t.superuser, '-d', 'postgres', '-c', 'SELECT pg_is_in_recovery()'] }, { what: `Checking ${t.container}` })
      .then((s) => s.trim())
      .catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    if (last === 'f') return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new RpcError('INTERNAL', `${t.container} did not come back as a running server in 120 s (${last.slice(0, 200)}).`);
}
