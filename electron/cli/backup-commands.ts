/**
 * `hindsight backup <set>` | `hindsight backup --host H --volume V… --postgres C[/db]… --repo R [--set NAME]`,
 * over the typed client: the backup runs as a task; its progress is a bar on a TTY and plain lines
 * otherwise (stderr); the result goes to stdout (JSON with --json). Ctrl-C cancels the task.
 *
 * Exit codes: 0 done, 1 usage or internal error, 2 the backup failed, 130 cancelled by SIGINT.
 */
import { RpcError, type BackupResult, type BackupRunInput, type Client, type SourceSpec, type TaskEvent } from '../../shared/contract/index.js';
import { EXIT, type Output } from './hosts-commands.js';
import { formatTable } from './table.js';

export const BACKUP_EXIT = { ...EXIT, failed: 2, cancelled: 130 } as const;

/** Where progress goes: a TTY gets a redrawn bar, anything else plain lines. */
export interface ProgressOutput {
  isTTY: boolean;
  write(text: string): void;
}

export interface TaskRunDeps {
  output: Output;
  progress: ProgressOutput;
  /** Calls `cb` on Ctrl-C; returns an unsubscribe. */
  onInterrupt(cb: () => void): () => void;
}

export function processTaskRunDeps(output: Output): TaskRunDeps {
  return {
    output,
    progress: { isTTY: !!process.stderr.isTTY, write: (t) => process.stderr.write(t) },
    onInterrupt: (cb) => {
      const handler = () => cb();
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

export interface BackupOptions {
  host?: string;
  volume?: string[];
  postgres?: string[];
  repo?: string;
  set?: string;
  stopContainers?: boolean;
  gzip?: boolean;
  note?: string;
  json?: boolean;
}

/** The task input for the command line; throws INVALID_INPUT (exit 1) for a command that cannot work. */
export function backupInputOf(setArg: string | undefined, o: BackupOptions): BackupRunInput {
  const adhoc = !!(o.host || o.volume?.length || o.postgres?.length || o.repo);
  if (setArg && adhoc) throw new RpcError('INVALID_INPUT', 'Give either a backup set or --host/--volume/--postgres/--repo, not both.');
  if (setArg) return { setId: setArg, ...(o.note ? { note: o.note } : {}) };
  if (!o.host || !o.repo) throw new RpcError('INVALID_INPUT', 'An ad-hoc backup needs --host and --repo (or name a saved backup set).');
  const sources: SourceSpec[] = [
    ...(o.volume ?? []).map((volume): SourceSpec => ({ kind: 'volume', volume })),
    ...(o.postgres ?? []).map((p): SourceSpec => {
      const [container, database] = p.split('/', 2);
      if (!container) throw new RpcError('INVALID_INPUT', `--postgres ${p}: a container name (optionally /database) is needed.`);
      return database
        ? { kind: 'postgres', container, mode: 'database', database, user: 'postgres' }
        : { kind: 'postgres', container, mode: 'dumpall', user: 'postgres' };
    }),
  ];
  if (!sources.length) throw new RpcError('INVALID_INPUT', 'Nothing to back up: give at least one --volume or --postgres.');
  return {
    hostId: o.host,
    repositoryId: o.repo,
    sources,
    ...(o.set ? { set: o.set } : {}),
    compression: o.gzip ? 'gzip' : 'zstd',
    stopContainers: !!o.stopContainers,
    ...(o.note ? { note: o.note } : {}),
  };
}

const MiB = 1024 * 1024;
const human = (n: number) => (n >= 1024 * MiB ? `${(n / 1024 / MiB).toFixed(2)} GiB` : n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** Renders task events: a bar redrawn in place on a TTY, else at most one progress line every 2 s. */
export function progressRenderer(out: ProgressOutput, now: () => number = Date.now) {
  let lastLine = 0;
  let barShown = false;
  const clearBar = () => {
    if (barShown) out.write('\r\x1b[2K');
    barShown = false;
  };
  return {
    onEvents(events: TaskEvent[]) {
      for (const e of events) {
        if (e.type === 'log') {
          clearBar();
          out.write(`${e.level === 'info' ? '' : `${e.level}: `}${e.message}\n`);
        } else if (e.type === 'progress') {
          if (out.isTTY) {
            const width = 24;
            const f = e.fraction ?? 0;
            const filled = Math.round(f * width);
            const bar = e.fraction === null ? '?'.repeat(width) : '#'.repeat(filled) + '.'.repeat(width - filled);
            const pct = e.fraction === null ? ' ?? ' : `${String(Math.round(f * 100)).padStart(3)}%`;
            out.write(`\r\x1b[2K[${bar}] ${pct} ${e.message}`.slice(0, 200));
            barShown = true;
          } else if (now() - lastLine >= 2000 || e.fraction === 1) {
            lastLine = now();
            out.write(`${e.fraction === null ? '' : `${Math.round(e.fraction * 100)}% `}${e.message}\n`);
          }
        }
      }
    },
    finish: clearBar,
  };
}

/** Exit code for a failed task: usage-like errors 1, cancellation 130, the rest 2. */
export function exitCodeOf(e: unknown, interrupted: boolean): number {
  if (RpcError.is(e) && e.code === 'CANCELLED') return interrupted ? BACKUP_EXIT.cancelled : BACKUP_EXIT.failed;
  if (RpcError.is(e) && (e.code === 'INVALID_INPUT' || e.code === 'NOT_FOUND' || e.code === 'CONTRACT_MISMATCH')) return BACKUP_EXIT.error;
  return RpcError.is(e) ? BACKUP_EXIT.failed : BACKUP_EXIT.error;
}

/**
 * Starts a task, shows its events, cancels it on Ctrl-C; resolves to its result or throws its error
 * (with `interrupted` saying whether the user pressed Ctrl-C).
 */
export async function followTask<R>(
  client: Client,
  deps: TaskRunDeps,
  start: () => Promise<{ taskId: string; result: Promise<R> }>,
): Promise<{ ok: true; result: R } | { ok: false; error: unknown; interrupted: boolean }> {
  const { taskId, result } = await start();
  const render = progressRenderer(deps.progress);
  const unsubscribe = client.onTaskEvents(taskId, (events) => render.onEvents(events));
  let interrupted = false;
  const offInterrupt = deps.onInterrupt(() => {
    if (interrupted) return;
    interrupted = true;
    render.finish();
    deps.output.err('Cancelling… (the data uploaded so far is removed)');
    void client.tasks.cancel({ taskId }).catch(() => undefined);
  });
  try {
    return { ok: true, result: await result };
  } catch (error) {
    return { ok: false, error, interrupted };
  } finally {
    offInterrupt();
    render.finish();
    unsubscribe();
  }
}

export async function backupCommand(client: Client, deps: TaskRunDeps, setArg: string | undefined, o: BackupOptions): Promise<number> {
  const input = backupInputOf(setArg, o);
  const outcome = await followTask(client, deps, () => client.backup.run(input));
  if (!outcome.ok) {
    const e = outcome.error;
    const code = exitCodeOf(e, outcome.interrupted);
    const shape = RpcError.is(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: String(e) };
    if (o.json) deps.output.out(JSON.stringify({ ok: false, ...shape }, null, 2));
    else deps.output.err(`hindsight: backup ${code === BACKUP_EXIT.cancelled ? 'cancelled' : 'FAILED'}: ${shape.message} (${shape.code})`);
    return code;
  }
  const r = outcome.result;
  if (o.json) deps.output.out(JSON.stringify({ ok: true, ...r }, null, 2));
  else deps.output.out(describeBackup(r));
  return BACKUP_EXIT.ok;
}

export function describeBackup(r: BackupResult): string {
  const rows = r.sources.map((s) => [
    s.name,
    s.kind,
    human(s.rawBytes),
    human(s.storedBytes),
    s.fileCount !== undefined ? `${s.fileCount} entries` : s.rowCounts ? `${Object.keys(s.rowCounts).length} tables` : '-',
    `${s.seconds.toFixed(1)} s`,
  ]);
  return [
    `snapshot ${r.snapshotId} (set ${r.set})`,
    formatTable(['SOURCE', 'KIND', 'READ', 'STORED', 'CONTENT', 'TIME'], rows),
    `${human(r.rawBytes)} read, ${human(r.storedBytes)} stored; manifest ${r.manifestKey}`,
  ].join('\n');
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `hindsight backup …` to the program; `run` opens a session and records the exit code. */
export function registerBackupCommands(
  program: import('commander').Command,
  run: (fn: (client: Client) => Promise<number>) => Promise<void>,
  output: Output,
  taskDeps?: Partial<TaskRunDeps>,
): void {
  program
    .command('backup [set]')
    .description('back up a saved backup set, or --host H --volume V… --postgres C[/db]… --repo R (exit 2 failed, 130 cancelled)')
    .option('--host <host>', 'ad hoc: the host to back up (name or id)')
    .option('--volume <volume>', 'ad hoc: a Docker volume (repeatable)', collect)
    .option('--postgres <container[/db]>', 'ad hoc: a PostgreSQL container, all databases or one (repeatable)', collect)
    .option('--repo <repository>', 'ad hoc: the repository (name or id)')
    .option('--set <name>', 'ad hoc: the set name the snapshot is filed under (default: the host name)')
    .option('--stop-containers', 'ad hoc: stop the containers using a volume while it is copied')
    .option('--gzip', 'ad hoc: gzip instead of zstd (slower; for hosts without zstd)')
    .option('--note <text>', 'a note kept in the manifest')
    .option('--json', 'print the result as JSON')
    .action(async (set: string | undefined, options: BackupOptions) =>
      run((c) => backupCommand(c, { ...processTaskRunDeps(output), ...taskDeps }, set, options)),
    );
}
