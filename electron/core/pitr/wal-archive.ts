/**
 * Continuous archiving of a PostgreSQL cluster (docs/pitr.md, decisions 1–5), one step at a time:
 * `archiveStep` is called every minute by the agent (and once by `pitr enable`). Each step
 *   1. makes sure the replication slot exists (the server then keeps every WAL segment until it is
 *      received — a stopped agent loses nothing) and that `pg_receivewal` runs in the database
 *      container (started detached with `docker exec`, as postgres over the local socket: no
 *      restart, no archive_command, no port), writing into a folder of the container;
 *   2. ships every completed segment of that folder into the repository through the one pipeline
 *      (zstd, checksummed), and the segment being written when it changed since the last step —
 *      so the recoverable window ends about a minute ago even on a quiet server;
 *   3. writes one signed list of what it shipped (the checksums a restore trusts), then removes the
 *      shipped segments from the container;
 *   4. takes a base backup when the newest is older than the plan allows (or there is none).
 * Nothing here trusts the container: names read from its folder must be segment names, sizes come
 * from the stream.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import type { Engine } from '../docker/engine.js';
import { storeStream } from './stored-objects.js';
import { writeJsonObject, type RepositoryBackend } from '../repository/index.js';
import type { ManifestSigner, TrustedWriters } from '../signing/index.js';
import { postgresUser } from '../sources/commands.js';
import { runningContainer } from '../sources/containers.js';
import { execCapture, execStream } from '../sources/exec.js';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { SEGMENT_NAME, readClusterArchive, signPitrRecord, walListPrefix, walPrefix, type BaseBackupRecord, type WalSegmentEntry } from './archive-records.js';
import { takeBaseBackup } from './base-backup.js';
import { pruneArchive, type ArchivePruned } from './archive-retention.js';

/** The slot (and the container's folder) of one repository's archive: one per repository, so two consoles' archives never share one. */
export function slotName(repositoryId: string): string {
  return `hindsight_${createHash('sha256').update(repositoryId).digest('hex').slice(0, 12)}`;
}
const folderOf = (slot: string) => `/tmp/${slot}`;

/** Lists are merged into one when there are more than this many (each step adds at most one). */
const MERGE_LISTS_OVER = 64;

export interface ArchiveStepInput {
  engine: Engine;
  container: string;
  backend: RepositoryBackend;
  host: { id: string; name: string };
  signer: ManifestSigner;
  trusted: TrustedWriters;
  slot: string;
  /** A new base backup when the newest is older than this. */
  baseEveryMs: number;
  /** Base backups kept (with the WAL from the oldest one's start); older ones deleted after a new one (default 2). */
  keepBases?: number;
  /** Where the step remembers the partial segment it shipped last (the agent's state). */
  stateFile: string;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface ArchiveStepResult {
  cluster: string;
  receiver: 'running' | 'started';
  shipped: string[];
  base: BaseBackupRecord | null;
  /** What retention deleted after a new base backup. */
  pruned: ArchivePruned;
  /** WAL the slot makes the server keep (bytes not yet received). */
  retainedBytes: number;
}

const StepMemory = z.object({ partial: z.object({ name: z.string(), mtime: z.number(), key: z.string() }).nullable() });

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function archiveStep(x: ArchiveStepInput): Promise<ArchiveStepResult> {
  if (!/^hindsight_[0-9a-f]{12}$/.test(x.slot)) throw new RpcError('INVALID_INPUT', `"${x.slot}" is not a slot name of Hindsight's.`);
  const now = x.now ?? (() => new Date());
  const c = await runningContainer(x.engine, x.container, x.signal);
  const user = postgresUser(c.env);
  const sh = (what: string, script: string, ...args: string[]) =>
    execCapture(x.engine, { container: c.id, cmd: ['sh', '-c', script, 'hindsight-pitr', ...args], env: ['PGCONNECT_TIMEOUT=10'] }, { what: `${what} in ${c.name} on ${x.engine.name}`, ...(x.signal ? { signal: x.signal } : {}) });
  const psql = async (sql: string, what: string) => (await sh(what, 'exec psql -X -At -v ON_ERROR_STOP=1 -U "$1" -d postgres -c "$2"', user, sql)).trim();

  const cluster = await psql('SELECT system_identifier FROM pg_control_system()', 'Reading the cluster identifier');
  if (!/^\d{1,20}$/.test(cluster)) throw new RpcError('INTERNAL', `Reading the cluster identifier of ${c.name}: unexpected answer "${cluster.slice(0, 60)}".`);
  // 1. The slot first: from its creation on, the server keeps the WAL until it is received.
  await psql(`SELECT pg_create_physical_replication_slot(${sqlText(x.slot)}, true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ${sqlText(x.slot)})`, 'Creating the replication slot');
  const folder = folderOf(x.slot);
  const started = await sh(
    'Starting pg_receivewal',
    [
      'dir=$1; mkdir -p "$dir"; chmod 700 "$dir"',
      // Its pid, and pg_receivewal under it: after a container restart the number may be another process's.
      'p=$(cat "$dir/pid" 2>/dev/null)',
      'if [ -n "$p" ] && kill -0 "$p" 2>/dev/null && grep -q pg_receivewal "/proc/$p/cmdline" 2>/dev/null; then echo running; exit 0; fi',
      // Detached (setsid where there is one): it outlives this exec and keeps receiving.
      'S=; command -v setsid >/dev/null && S=setsid',
      '$S sh -c \'echo $$ >"$1/pid"; exec pg_receivewal -U "$2" -D "$1" --slot "$3" --no-password\' hindsight-receivewal "$dir" "$2" "$3" </dev/null >>"$dir/log" 2>&1 &',
      'echo started',
    ].join('\n'),
    folder,
    user,
    x.slot,
  );

  // 2. What the folder holds: "<name> <size> <mtime>" per file.
  const listing = await sh('Listing the received WAL', 'cd "$1" && for f in *; do [ -f "$f" ] && stat -c "%n %s %Y" "$f"; done; true', folder);
  const files = listing
    .split('\n')
    .map((l) => l.trim().split(' '))
    .filter((p) => p.length === 3)
    .map(([name, size, mtime]) => ({ name: name!, size: Number(size), mtime: Number(mtime) }));
  const complete = files.filter((f) => SEGMENT_NAME.test(f.name)).sort((a, b) => a.name.localeCompare(b.name));
  const partial = files.filter((f) => f.name.endsWith('.partial') && SEGMENT_NAME.test(f.name.slice(0, -'.partial'.length))).sort((a, b) => b.name.localeCompare(a.name))[0];
  const memory = (await readJsonFile(x.stateFile, StepMemory).catch(() => undefined)) ?? { partial: null };

  const ship = async (file: string, key: string) =>
    storeStream(x.backend, key, await execStream(x.engine, { container: c.id, cmd: ['cat', `${folder}/${file}`] }, { what: `Reading ${file} in ${c.name}`, ...(x.signal ? { signal: x.signal } : {}) }), x.signal);
  const entries: WalSegmentEntry[] = [];
  for (const f of complete) {
    entries.push({ name: f.name, partial: false, receivedAt: new Date(f.mtime * 1000).toISOString(), object: await ship(f.name, `${walPrefix(cluster)}${f.name}.zst`) });
  }
  let shippedPartial: z.infer<typeof StepMemory>['partial'] = null;
  if (partial && !(memory.partial?.name === partial.name && memory.partial.mtime === partial.mtime)) {
    const name = partial.name.slice(0, -'.partial'.length);
    const key = `${walPrefix(cluster)}${name}.partial.${Date.now()}.zst`;
    entries.push({ name, partial: true, receivedAt: new Date(partial.mtime * 1000).toISOString(), object: await ship(partial.name, key) });
    shippedPartial = { name: partial.name, mtime: partial.mtime, key };
  }

  // 3. The list (signed), then the container's copies go and the superseded partial object.
  if (entries.length) {
    const at = now();
    const list = signPitrRecord({ format: 'hindsight-pitr-wal/1' as const, cluster, sourceHost: x.host, container: c.name, writtenAt: at.toISOString(), segments: entries }, x.signer);
    await writeJsonObject(x.backend, `${walListPrefix(cluster)}${at.toISOString().replace(/[:.]/g, '')}-${randomBytes(4).toString('hex')}.json`, list, x.signal ? { signal: x.signal } : {});
    if (complete.length) await sh('Removing shipped WAL', 'cd "$1" && shift && rm -f -- "$@"', folder, ...complete.map((f) => f.name));
    if (shippedPartial) {
      if (memory.partial && memory.partial.key !== shippedPartial.key) await x.backend.deleteObject(memory.partial.key).catch(() => undefined);
      await writeFileAtomic(x.stateFile, JSON.stringify({ partial: shippedPartial }) + '\n');
    }
  }

  // 4. A base backup when due; lists merged when they pile up.
  const archive = await readClusterArchive(x.backend, cluster, x.trusted, x.signal);
  const newest = archive.bases[0];
  let base: BaseBackupRecord | null = null;
  if (!newest || now().getTime() - Date.parse(newest.endedAt) >= x.baseEveryMs) {
    base = await takeBaseBackup({ engine: x.engine, container: c.name, backend: x.backend, host: x.host, signer: x.signer, ...(x.signal ? { signal: x.signal } : {}), now });
  }
  let pruned: ArchivePruned = { bases: [], segments: [] };
  if (base) {
    // A new base backup: the oldest ones beyond the count kept go, with the WAL only they needed.
    pruned = await pruneArchive({ backend: x.backend, archive: await readClusterArchive(x.backend, cluster, x.trusted, x.signal), keepBases: x.keepBases ?? 2, signer: x.signer, host: x.host, container: c.name, ...(x.signal ? { signal: x.signal } : {}) });
  } else if (archive.lists.length > MERGE_LISTS_OVER) await mergeLists(x, cluster, c.name, [...archive.segments.values()], archive.lists);

  const retained = await psql(`SELECT COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint FROM pg_replication_slots WHERE slot_name = ${sqlText(x.slot)}`, 'Reading the slot');
  return { cluster, receiver: started.trim().endsWith('started') ? 'started' : 'running', shipped: entries.map((e) => (e.partial ? `${e.name}.partial` : e.name)), base, pruned, retainedBytes: Number(retained) || 0 };
}

/** Many lists into one (the newest entry of each segment), written before the merged ones are deleted. */
async function mergeLists(x: ArchiveStepInput, cluster: string, container: string, segments: WalSegmentEntry[], lists: string[]): Promise<void> {
  const at = (x.now ?? (() => new Date()))();
  const merged = signPitrRecord({ format: 'hindsight-pitr-wal/1' as const, cluster, sourceHost: x.host, container, writtenAt: at.toISOString(), segments: segments.sort((a, b) => a.name.localeCompare(b.name)) }, x.signer);
  await writeJsonObject(x.backend, `${walListPrefix(cluster)}${at.toISOString().replace(/[:.]/g, '')}-merged.json`, merged, x.signal ? { signal: x.signal } : {});
  for (const key of lists) await x.backend.deleteObject(key).catch(() => undefined);
}

/** Stops archiving for `slot`: the receiver stopped, the slot dropped (the server no longer keeps WAL for it), the folder removed. */
export async function stopArchiving(x: { engine: Engine; container: string; slot: string; signal?: AbortSignal }): Promise<{ slotDropped: boolean }> {
  if (!/^hindsight_[0-9a-f]{12}$/.test(x.slot)) throw new RpcError('INVALID_INPUT', `"${x.slot}" is not a slot name of Hindsight's.`);
  const c = await runningContainer(x.engine, x.container, x.signal);
  const user = postgresUser(c.env);
  const out = await execCapture(
    x.engine,
    {
      container: c.id,
      cmd: [
        'sh',
        '-c',
        [
          'dir=$1',
          'if [ -f "$dir/pid" ]; then kill "$(cat "$dir/pid")" 2>/dev/null; fi',
          // The slot is active until the receiver's connection is gone: a few tries.
          'for i in 1 2 3 4 5 6 7 8 9 10; do',
          '  r=$(psql -X -At -U "$2" -d postgres -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = \'$3\' AND NOT active" 2>/dev/null)',
          '  if [ "$r" = 1 ]; then psql -X -At -U "$2" -d postgres -c "SELECT pg_drop_replication_slot(\'$3\')" >/dev/null && echo dropped; break; fi',
          '  r=$(psql -X -At -U "$2" -d postgres -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = \'$3\'" 2>/dev/null)',
          '  [ "$r" = 0 ] && break; sleep 1',
          'done',
          'rm -rf -- "$dir"',
        ].join('\n'),
        'hindsight-pitr',
        folderOf(x.slot),
        user,
        x.slot,
      ],
    },
    { what: `Stopping the WAL archive in ${c.name} on ${x.engine.name}`, ...(x.signal ? { signal: x.signal } : {}) },
  );
  return { slotDropped: out.includes('dropped') };
}

/** The agent's per-job memory file. */
export const stepStateFile = (stateDir: string, slot: string, container: string) => path.join(stateDir, 'pitr', `${slot}-${createHash('sha256').update(container).digest('hex').slice(0, 8)}.json`);
