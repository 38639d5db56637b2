/**
 * `hindsight backup <set>` | `hindsight backup --host H --volume V… --postgres C[/db]… --repo R [--set NAME]`,
 * over the typed client: the backup runs as a task; its progress is a bar on a TTY and plain lines
 * otherwise (stderr); the result goes to stdout (JSON with --json). Ctrl-C cancels the task.
 *
 * Exit codes: 0 done, 1 usage or internal error, 2 the backup failed, 130 cancelled by SIGINT.
 */
import { RpcError, type BackupResult, type BackupRunInput, type BackupSetAddInput, type Client, type SourceSpec, type IncrementalSpec, type TaskEvent } from '../../shared/contract/index.js';
import type { Command } from 'commander';
import { sourceFlags, specsFromFlags } from '../../shared/source-flags.js';
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
  directory?: string[];
  mariadb?: string[];
  mongo?: string[];
  repo?: string;
  set?: string;
  stopContainers?: boolean;
  gzip?: boolean;
  note?: string;
  json?: boolean;
  incremental?: boolean;
  fullEvery?: string;
}

/** The task input for the command line; throws INVALID_INPUT (exit 1) for a command that cannot work. */
const specsGiven = (o: BackupOptions) => sourceFlags().some(({ kind }) => (o[kind]?.length ?? 0) > 0);

/** The --volume, --postgres, … options on a command that takes sources: every kind's (shared/source-flags.ts). */
export function withSourceOptions(command: Command, prefix = ''): Command {
  for (const { kind, flag } of sourceFlags()) command.option(`--${kind} ${flag.arg}`, `${prefix}${flag.help} (repeatable)`, collect);
  command.option('--incremental', `${prefix}back up the volumes in GNU tar levels: what changed since the last backup (needs the host's agent)`);
  command.option('--full-every <period>', `${prefix}with --incremental: begin a new chain with a full level every "7d" (default), "2w" or "10levels"`);
  return command;
}

export function backupInputOf(setArg: string | undefined, o: BackupOptions): BackupRunInput {
  const adhoc = !!(o.host || o.repo || specsGiven(o));
  if (setArg && adhoc) throw new RpcError('INVALID_INPUT', 'Give either a backup set or --host/--volume/--postgres/--directory/--repo, not both.');
  if (setArg && (o.incremental || o.fullEvery)) throw new RpcError('INVALID_INPUT', `--incremental belongs to the set: save it with hindsight sets add … --incremental (set ${setArg} decides for itself).`);
  if (setArg) return { setId: setArg, ...(o.note ? { note: o.note } : {}) };
  if (!o.host || !o.repo) throw new RpcError('INVALID_INPUT', 'An ad-hoc backup needs --host and --repo (or name a saved backup set).');
  let sources: SourceSpec[];
  try {
    sources = specsFromFlags(o);
  } catch (e) {
    throw new RpcError('INVALID_INPUT', (e as Error).message);
  }
  if (!sources.length) throw new RpcError('INVALID_INPUT', `Nothing to back up: give at least one of ${sourceFlags().map(({ kind }) => `--${kind}`).join(', ')}.`);
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

/**
 * A task that did not succeed, said the one way every command says it: `{ok:false, code, message}`
 * with --json, else "hindsight: <what> FAILED: … (CODE)" on stderr. Returns the exit code (by
 * default as for a backup, exitCodeOf; commands whose every failure is "it failed" pass 2).
 */
export function reportTaskFailure(output: Output, outcome: { error: unknown; interrupted: boolean }, what: string, json: boolean | undefined, exitCode?: number): number {
  const e = outcome.error;
  const code = exitCode ?? exitCodeOf(e, outcome.interrupted);
  const shape = RpcError.is(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: String(e) };
  if (json) output.out(JSON.stringify({ ok: false, ...shape }, null, 2));
  else output.err(`hindsight: ${what} ${code === BACKUP_EXIT.cancelled ? 'cancelled' : 'FAILED'}: ${shape.message} (${shape.code})`);
  return code;
}

/** Exit code of a task whose every failure is the task failing (plans run, agent install): 2, or 130 when cancelled. */
export const taskFailedCode = (outcome: { interrupted: boolean }) => (outcome.interrupted ? BACKUP_EXIT.cancelled : BACKUP_EXIT.failed);

export async function backupCommand(client: Client, deps: TaskRunDeps, setArg: string | undefined, o: BackupOptions): Promise<number> {
  const input = backupInputOf(setArg, o);
  const outcome = await followTask(client, deps, () => client.backup.run(input));
  if (!outcome.ok) return reportTaskFailure(deps.output, outcome, 'backup', o.json);
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
    s.fileCount !== undefined
      ? `${s.fileCount} entries${s.level !== undefined ? `, level ${s.level}${s.level === 0 ? ' (full)' : ''}` : ''}`
      : s.rowCounts
        ? `${Object.keys(s.rowCounts).length} tables`
        : s.databaseRowCounts
          ? `${Object.keys(s.databaseRowCounts).length} databases`
          : '-',
    `${s.seconds.toFixed(1)} s`,
  ]);
  return [
    `snapshot ${r.snapshotId} (set ${r.set})`,
    formatTable(['SOURCE', 'KIND', 'READ', 'STORED', 'CONTENT', 'TIME'], rows),
    `${human(r.rawBytes)} read, ${human(r.storedBytes)} stored; manifest ${r.manifestKey}`,
  ].join('\n');
}

/** Commander's accumulator for a repeatable option. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `hindsight backup …` to the program; `run` opens a session and records the exit code. */
export function registerBackupCommands(
  program: import('commander').Command,
  run: (fn: (client: Client) => Promise<number>) => Promise<void>,
  output: Output,
  taskDeps?: Partial<TaskRunDeps>,
): void {
  withSourceOptions(
    program.command('backup [set]').description('back up a saved backup set, or --host H --volume V… --postgres C[/db]… --repo R (exit 2 failed, 130 cancelled)'),
    'ad hoc: ',
  )
    .option('--host <host>', 'ad hoc: the host to back up (name or id)')
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

/** Where `sets add --passphrase` reads the age passphrase from: never the command line, where `ps` shows it. */
export const PASSPHRASE_ENV = 'HINDSIGHT_BACKUP_PASSPHRASE';

export interface SetAddOptions extends BackupOptions {
  recipient?: string[];
  passphrase?: boolean;
  tag?: string[];
}

/** The backupSets.add input for `hindsight sets add <name> …`. */
export function setInputOf(name: string, o: SetAddOptions, env: NodeJS.ProcessEnv): BackupSetAddInput {
  const adhoc = backupInputOf(undefined, o);
  if ('setId' in adhoc) throw new RpcError('INVALID_INPUT', 'A backup set needs --host, --repo and sources.');
  if (o.passphrase && o.recipient?.length) throw new RpcError('INVALID_INPUT', 'Encrypt with --passphrase or with --recipient, not both.');
  const passphrase = o.passphrase ? env[PASSPHRASE_ENV] : undefined;
  if (o.passphrase && !passphrase) throw new RpcError('INVALID_INPUT', `--passphrase reads the passphrase from $${PASSPHRASE_ENV}, which is empty.`);
  return {
    name,
    hostId: adhoc.hostId,
    repositoryId: adhoc.repositoryId,
    sources: adhoc.sources,
    compression: adhoc.compression,
    stopContainers: adhoc.stopContainers,
    tags: o.tag ?? [],
    encryption: passphrase ? 'age-passphrase' : o.recipient?.length ? 'age-recipients' : 'none',
    recipients: o.recipient ?? [],
    ...(passphrase ? { passphrase } : {}),
  };
}

function fullEveryWords(i: IncrementalSpec): string {
  const parts = [i.fullEvery.days !== undefined ? `${i.fullEvery.days} days` : '', i.fullEvery.levels !== undefined ? `${i.fullEvery.levels} levels` : ''].filter(Boolean);
  return parts.length ? `, full every ${parts.join(' or ')}` : '';
}

function describeSource(s: SourceSpec): string {
  switch (s.kind) {
    case 'volume':
      return `volume:${s.volume}${s.incremental ? ` (incremental${fullEveryWords(s.incremental)})` : ''}`;
    case 'postgres':
      return `postgres:${s.container}${s.mode === 'database' && s.database ? `/${s.database}` : ''}`;
    case 'directory':
      return `dir:${s.container}:${s.path}`;
    case 'mariadb':
    case 'mongo':
      return `${s.kind}:${s.container}`;
  }
}

export async function listSets(client: Client, output: Output, json: boolean): Promise<number> {
  const sets = await client.backupSets.list();
  if (json) output.out(JSON.stringify(sets, null, 2));
  else if (!sets.length) output.out('No backup sets yet: hindsight sets add <name> --host H --repo R --volume V …');
  else {
    const [hosts, repos] = await Promise.all([client.hosts.list(), client.repositories.list()]);
    const hostName = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
    const repoName = (id: string) => repos.find((r) => r.id === id)?.name ?? id;
    output.out(
      formatTable(
        ['NAME', 'HOST', 'REPOSITORY', 'SOURCES', 'OPTIONS'],
        sets.map((s) => [
          s.name,
          hostName(s.hostId),
          repoName(s.repositoryId),
          s.sources.map(describeSource).join(' '),
          [s.compression, s.encryption === 'none' ? '' : s.encryption, s.stopContainers ? 'stop-containers' : ''].filter(Boolean).join(', '),
        ]),
      ),
    );
  }
  return EXIT.ok;
}

export function registerSetsCommands(
  program: import('commander').Command,
  run: (fn: (client: Client) => Promise<number>) => Promise<void>,
  output: Output,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const sets = program.command('sets').description('the saved backup sets (host, sources, repository)');
  sets
    .command('list')
    .description('list the backup sets')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => run((c) => listSets(c, output, !!o.json)));
  withSourceOptions(sets.command('add <name>').description('save a backup set: --host H --repo R and --volume V… / --postgres C[/db]…'))
    .option('--host <host>', 'the host (name or id)')
    .option('--repo <repository>', 'the repository (name or id)')
    .option('--stop-containers', 'stop the containers using a volume while it is copied')
    .option('--gzip', 'gzip instead of zstd')
    .option('--recipient <age1…>', 'encrypt to this age public key (repeatable)', collect)
    .option('--passphrase', `encrypt with an age passphrase read from $${PASSPHRASE_ENV}`)
    .option('--tag <tag>', 'a tag kept in every manifest (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (name: string, o: SetAddOptions) =>
      run(async (c) => {
        const set = await c.backupSets.add(setInputOf(name, o, env));
        output.out(o.json ? JSON.stringify(set, null, 2) : `added backup set ${set.name}. Run it with: hindsight backup ${set.name}`);
        return EXIT.ok;
      }),
    );
  sets
    .command('remove <name>')
    .description('forget a backup set (its snapshots stay in the repository)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) =>
      run(async (c) => {
        const all = await c.backupSets.list();
        const set = all.find((s) => s.name === name) ?? all.find((s) => s.id === name);
        if (!set) throw new RpcError('NOT_FOUND', `There is no backup set "${name}".`);
        const { removed } = await c.backupSets.remove({ id: set.id });
        output.out(o.json ? JSON.stringify({ set: set.name, removed }) : `removed backup set ${set.name}`);
        return EXIT.ok;
      }),
    );
}
