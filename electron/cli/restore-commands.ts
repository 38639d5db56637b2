/**
 * `hindsight restore`, `hindsight verify`, `hindsight operations`, over the typed client.
 * Exit codes: 0 ok; 1 usage or internal error; 2 the operation failed (and was rolled back — the
 * message says if the rollback failed too); 3 refused (a snapshot no trusted writer signed, without
 * --allow-unsigned; protected host without --confirm, target
 * held by another operation, a plan that cannot run).
 */
import type { Command } from 'commander';
import { RpcError, type Client, type OperationSummary, type RestorePlan, type RestoreResult, type TaskEvent, type VerifyResult } from '../../shared/contract/index.js';
import { collect, progressRenderer } from './backup-commands.js';
import type { Output } from './hosts-commands.js';
import { formatTable } from './table.js';
import { describePitrRestore, pitrRestoreFor } from './pitr-commands.js';
import type { PitrRestoreResult } from '../../shared/contract/pitr.js';

export const RESTORE_EXIT = { ok: 0, error: 1, failed: 2, refused: 3 } as const;

export interface RestoreOptions {
  repo: string;
  toHost: string;
  map?: string[];
  path?: string[];
  source?: string[];
  dryRun?: boolean;
  confirm?: string;
  allowUnsigned?: boolean;
  asOf?: string;
  set?: string;
  safetyCopy?: boolean;
  json?: boolean;
}

/** "--map a=b" → {a: 'b'}; a usage error (INVALID_INPUT) for anything else. */
export function parseMap(pairs: string[] = [], option = '--map'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0 || i === p.length - 1) throw new RpcError('INVALID_INPUT', `${option} takes source=${option === '--path' ? '/directory' : 'target'}, not "${p}".`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

async function repositoryId(client: Client, name: string): Promise<string> {
  const repos = await client.repositories.list();
  const r = repos.find((x) => x.name === name) ?? repos.find((x) => x.id === name);
  if (!r) throw new RpcError('NOT_FOUND', `No repository named "${name}" (known: ${repos.map((x) => x.name).join(', ')})`);
  return r.id;
}

async function hostId(client: Client, name: string): Promise<string> {
  const hosts = await client.hosts.list();
  const h = hosts.find((x) => x.name === name) ?? hosts.find((x) => x.id === name);
  if (!h) throw new RpcError('NOT_FOUND', `No host named "${name}" (known: ${hosts.map((x) => x.name).join(', ')})`);
  return h.id;
}

/** Exit code for a failed call: refusals 3, failed operations 2, usage/internal 1. */
export function exitCodeOf(e: unknown): number {
  if (!RpcError.is(e)) return RESTORE_EXIT.error;
  if (e.code === 'CONFLICT' || e.code === 'UNTRUSTED' || (e.code === 'INVALID_INPUT' && e.detail?.startsWith('refused'))) return RESTORE_EXIT.refused;
  if (e.detail?.startsWith('operation ')) return RESTORE_EXIT.failed;
  if (e.code === 'INVALID_INPUT' || e.code === 'NOT_FOUND') return RESTORE_EXIT.error;
  return RESTORE_EXIT.failed;
}

export function describePlan(plan: RestorePlan): string {
  const lines = [
    `Restore ${plan.snapshotId} onto ${plan.targetHost.name}${plan.targetHost.protected ? ' (PROTECTED)' : ''}`,
    ...plan.targets.map((t) => `  ${t.source} (${t.kind}) → ${t.targetKind} ${t.target}${t.path ? `:${t.path}` : ''}${t.create ? ' (new)' : ''}${t.users.length ? `; stops ${t.users.map((u) => u.name).join(', ')}` : ''}`),
    `Moves about ${plan.bytes} bytes; estimated ${plan.estimatedSeconds} s. Safety copy: ${plan.safetyCopy ? 'yes' : 'NO'}.`,
    '',
    'Steps, with the equivalent commands (object paths are relative to the repository root):',
  ];
  plan.steps.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.description}`);
    for (const c of s.commands) lines.push(`     $ ${c}`);
  });
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  for (const b of plan.blockers) lines.push(`REFUSED: ${b}`);
  return lines.join('\n');
}

/**
 * Follows a task's events unless --json: on a TTY a redrawn progress bar (the backup command's
 * renderer), else plain lines on the Output's stderr. Ctrl-C cancels the task — a restore then
 * rolls back. Returns the unsubscribe.
 */
function follow(client: Client, output: Output, taskId: string, quiet: boolean): () => void {
  const onSigint = () => {
    output.err('Cancelling (a restore rolls back)…');
    void client.tasks.cancel({ taskId }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  if (quiet) return () => process.off('SIGINT', onSigint);
  let stopEvents: () => void;
  if (process.stderr.isTTY) {
    const renderer = progressRenderer({ isTTY: true, write: (t) => process.stderr.write(t) });
    const off = client.onTaskEvents(taskId, (events: TaskEvent[]) => renderer.onEvents(events));
    stopEvents = () => {
      off();
      renderer.finish();
    };
  } else {
    let last = '';
    stopEvents = client.onTaskEvents(taskId, (events: TaskEvent[]) => {
      for (const e of events) {
        if (e.type === 'log') output.err(`${e.level === 'info' ? '' : `${e.level}: `}${e.message}`);
        else if (e.type === 'progress' && e.message !== last) {
          last = e.message;
          output.err(`[${e.fraction === null ? '  ?' : String(Math.round(e.fraction * 100)).padStart(3)}%] ${e.message}`);
        }
      }
    });
  }
  return () => {
    process.off('SIGINT', onSigint);
    stopEvents();
  };
}

export async function restoreCommand(client: Client, output: Output, snapshot: string | undefined, opts: RestoreOptions): Promise<number> {
  try {
    const repoId = await repositoryId(client, opts.repo);
    let snapshotId = snapshot;
    // A set whose PostgreSQL is archived continuously, and a time in its window: point-in-time recovery.
    if (!snapshotId && opts.asOf && opts.set) {
      const pitr = await pitrRestoreFor(client, { repositoryId: repoId, set: opts.set, asOf: opts.asOf, targetHostId: await hostId(client, opts.toHost), map: parseMap(opts.map), confirm: opts.confirm, dryRun: !!opts.dryRun });
      if (pitr) {
        output.err(`as of ${pitr.interpretation}: point-in-time recovery of cluster ${pitr.input.cluster}`);
        const { taskId, result } = await client.pitr.restore(pitr.input);
        const stop = follow(client, output, taskId, !!opts.json);
        try {
          const r = (await result) as PitrRestoreResult;
          output.out(opts.json ? JSON.stringify({ ok: true, pointInTime: r }, null, 2) : describePitrRestore(r));
          return RESTORE_EXIT.ok;
        } finally {
          stop();
        }
      }
    }
    if (!snapshotId && opts.asOf) {
      const picked = await client.snapshots.asOf({ repositoryId: repoId, when: opts.asOf, ...(opts.set ? { set: opts.set } : {}) });
      if (picked.sets.length !== 1) {
        throw new RpcError('INVALID_INPUT', picked.sets.length ? `--as-of matched ${picked.sets.length} backup sets (${picked.sets.map((s) => s.set).join(', ')}): name one with --set.` : `No snapshot at or before ${picked.interpretation}.`);
      }
      snapshotId = picked.sets[0]!.snapshot.id;
      output.err(`as of ${picked.interpretation}: ${snapshotId}`);
    }
    if (!snapshotId) throw new RpcError('INVALID_INPUT', 'Name a snapshot id, or --as-of "<date>".');
    const input = {
      repositoryId: repoId,
      snapshotId,
      targetHostId: await hostId(client, opts.toHost),
      map: parseMap(opts.map),
      paths: parseMap(opts.path, '--path'),
      ...(opts.source?.length ? { sources: opts.source } : {}),
      safetyCopy: opts.safetyCopy !== false,
      ...(opts.confirm ? { confirm: opts.confirm } : {}),
      ...(opts.allowUnsigned ? { allowUnsigned: true } : {}),
      ...(process.env.HINDSIGHT_AGE_PASSPHRASE ? { decryption: { passphrase: process.env.HINDSIGHT_AGE_PASSPHRASE } } : {}),
    };
    if (opts.dryRun) {
      const plan = await client.restore.plan(input);
      output.out(opts.json ? JSON.stringify(plan, null, 2) : describePlan(plan));
      return plan.blockers.length ? RESTORE_EXIT.refused : RESTORE_EXIT.ok;
    }
    const { taskId, result } = await client.restore.run(input);
    const stop = follow(client, output, taskId, !!opts.json);
    try {
      const r = (await result) as RestoreResult;
      output.out(opts.json ? JSON.stringify({ ok: true, ...r }, null, 2) : `Restored ${snapshotId}: operation ${r.operationId}, verified (${r.verification.map((v) => `${v.target}: ${v.checks.length} checks`).join(', ')}).`);
      return RESTORE_EXIT.ok;
    } finally {
      stop();
    }
  } catch (e) {
    return failed(output, e, !!opts.json);
  }
}

function failed(output: Output, e: unknown, json: boolean): number {
  const code = exitCodeOf(e);
  if (json) output.out(JSON.stringify({ ok: false, exitCode: code, ...(RpcError.is(e) ? { code: e.code, message: e.message, detail: e.detail } : { message: String(e) }) }, null, 2));
  else output.err(`hindsight: ${RpcError.is(e) ? `${e.message} (${e.code})` : String(e)}`);
  return code;
}

export async function verifyCommand(client: Client, output: Output, snapshotId: string, opts: { repo: string; host: string; json?: boolean; allowUnsigned?: boolean }): Promise<number> {
  try {
    const { taskId, result } = await client.verify.run({
      repositoryId: await repositoryId(client, opts.repo),
      snapshotId,
      hostId: await hostId(client, opts.host),
      ...(opts.allowUnsigned ? { allowUnsigned: true } : {}),
      ...(process.env.HINDSIGHT_AGE_PASSPHRASE ? { decryption: { passphrase: process.env.HINDSIGHT_AGE_PASSPHRASE } } : {}),
    });
    const stop = follow(client, output, taskId, !!opts.json);
    try {
      const r = (await result) as VerifyResult;
      if (opts.json) output.out(JSON.stringify(r, null, 2));
      else {
        output.out(`${snapshotId}: ${r.ok ? 'OK' : 'FAILED'} (recorded at ${r.recordKey})`);
        for (const v of r.verification) for (const c of v.checks) output.out(`  ${c.ok ? 'ok ' : 'BAD'} ${v.source} ${c.name}: ${c.actual}${c.ok ? '' : ` (expected ${c.expected})`}`);
      }
      return r.ok ? RESTORE_EXIT.ok : RESTORE_EXIT.failed;
    } finally {
      stop();
    }
  } catch (e) {
    return failed(output, e, !!opts.json);
  }
}

export async function operationsCommand(client: Client, output: Output, opts: { json?: boolean; audit?: boolean; text?: string }): Promise<number> {
  if (opts.audit) {
    const records = await client.operations.audit({ ...(opts.text ? { text: opts.text } : {}), limit: 200 });
    if (opts.json) output.out(JSON.stringify(records, null, 2));
    else output.out(formatTable(['WHEN', 'USER', 'KIND', 'SNAPSHOT', 'TO', 'RESULT'], records.map((r) => [r.startedAt, r.user, r.kind, r.snapshotId, r.to, r.result])));
    return RESTORE_EXIT.ok;
  }
  const ops: OperationSummary[] = await client.operations.list();
  if (opts.json) {
    output.out(JSON.stringify(ops, null, 2));
    return RESTORE_EXIT.ok;
  }
  if (!ops.length) {
    output.out('No operations yet.');
    return RESTORE_EXIT.ok;
  }
  output.out(formatTable(['ID', 'KIND', 'STATE', 'STEP', 'HOST', 'TARGETS', 'STARTED'], ops.map((o) => [o.id, o.kind, o.state, o.step, o.targetHostName, o.targets.join(', '), o.startedAt])));
  for (const o of ops.filter((x) => x.state === 'interrupted')) output.out(`${o.id} was interrupted: ${o.recovery ?? ''} — run \`hindsight operations rollback ${o.id}\`.`);
  return RESTORE_EXIT.ok;
}

export async function rollbackCommand(client: Client, output: Output, id: string, opts: { json?: boolean }): Promise<number> {
  try {
    const { taskId, result } = await client.operations.rollback({ id });
    const stop = follow(client, output, taskId, !!opts.json);
    try {
      const r = (await result) as { id: string; state: string; actions: string[] };
      output.out(opts.json ? JSON.stringify(r, null, 2) : `${id}: ${r.state}${r.actions.length ? ` (${r.actions.join('; ')})` : ''}`);
      return RESTORE_EXIT.ok;
    } finally {
      stop();
    }
  } catch (e) {
    return failed(output, e, !!opts.json);
  }
}

/** Adds restore, verify and operations to the program; `run` opens a session and records the exit code. */
export function registerRestoreCommands(program: Command, run: (fn: (client: Client) => Promise<number>) => Promise<void>, output: Output): void {
  program
    .command('restore [snapshot-id]')
    .description('restore a snapshot onto a host: plan, pre-flight, stop users, safety copy, restore, verify, restart; rolled back on failure (exit 2), refused with exit 3')
    .requiredOption('--repo <name>', 'the repository holding the snapshot')
    .requiredOption('--to-host <name>', 'the host to restore onto')
    .option('--map <source=target>', 'restore a source into another volume (created if missing) or database container (repeatable)', collect)
    .option('--path <source=/dir>', 'a directory source: the directory inside the target container to restore into (default: where it was backed up from; system directories are refused)', collect)
    .option('--source <name>', 'restore only this source (repeatable)', collect)
    .option('--as-of <date>', 'the newest snapshot at or before a date ("yesterday 18:00", ISO…), instead of an id')
    .option('--set <name>', 'with --as-of: the backup set')
    .option('--dry-run', 'print the plan and the equivalent shell commands; change nothing')
    .option('--confirm <host>', "a protected host's name, typed to confirm")
    .option('--allow-unsigned', 'accept a snapshot no trusted writer signed for its host (older snapshots, copies from elsewhere); written to the audit log')
    .option('--no-safety-copy', 'do not copy what will be overwritten (no rollback possible)')
    .option('--json', 'print JSON')
    .action(async (snapshot: string | undefined, options: RestoreOptions) => run((c) => restoreCommand(c, output, snapshot, options)));
  program
    .command('verify <snapshot-id>')
    .description('restore into throwaway volumes/containers on a host, check against the manifest, remove them, record the result (exit 2 if it fails)')
    .requiredOption('--repo <name>', 'the repository holding the snapshot')
    .requiredOption('--host <name>', 'the host to verify on')
    .option('--allow-unsigned', 'accept a snapshot no trusted writer signed for its host; written to the audit log')
    .option('--json', 'print JSON')
    .action(async (snapshot: string, options: { repo: string; host: string; json?: boolean; allowUnsigned?: boolean }) => run((c) => verifyCommand(c, output, snapshot, options)));
  const ops = program
    .command('operations')
    .description('restore and verify operations (journals), interrupted ones first to act on; --audit for the audit log')
    .option('--audit', 'print the audit log instead')
    .option('--text <text>', 'with --audit: only records containing this text')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean; audit?: boolean; text?: string }) => run((c) => operationsCommand(c, output, options)));
  ops
    .command('rollback <id>')
    .description('roll an interrupted operation back from its safety copy and restart its containers')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => run((c) => rollbackCommand(c, output, id, options)));
}
