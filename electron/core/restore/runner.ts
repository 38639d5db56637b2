/**
 * The restore as a journaled state machine (ARCHITECTURE §6): plan → pre-flight → stop users →
 * safety copy → restore → verify → restart, the journal rewritten before each step; any failure
 * from the first write on rolls back from the safety copy and restarts the containers; every run
 * leaves an audit record. `rollbackOperation` does the same for a journal an interrupted process
 * left behind.
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { RpcError } from '../../../shared/contract/errors.js';
import type { OperationState, RestorePlan, RestoreResult, SourceCheck } from '../../../shared/contract/restore.js';
import { Manifest, type ManifestSource } from '../../../shared/contract/snapshots.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { Engine } from '../docker/engine.js';
import { createLogger } from '../log.js';
import { manifestKey, readJsonObject, type RepositoryBackend } from '../repository/index.js';
import { postgresMajorVersion, postgresRowCounts, restartUsers, stopUsers, volumeUsers } from '../sources/index.js';
import { formerState } from '../sources/volume-users.js';
import { appendAudit, osUser } from './audit.js';
import { encryptionFor, makeSafetyCopy, removeVolume, restoreOne, restoreSafetyCopy, targetInventory, volumeSpace, type RestoreOneResult, type VolumeSpace } from './data-moves.js';
import { isInterrupted, listJournals, readJournal, recoveryAction, writeJournal, type Journal, type JournalStep, type JournalTarget } from './journal.js';
import { planRestore } from './planner.js';
import type { TargetLocks } from './target-lock.js';

const log = createLogger('restore');

export interface HostFacts {
  id: string;
  name: string;
  protected: boolean;
  /** "user@address -p port" for the equivalent commands; undefined for the local engine. */
  ssh?: string;
}

export interface RestoreDeps {
  configDir: string;
  engineFor(hostId: string): Promise<Engine>;
  host(hostId: string): Promise<HostFacts>;
  /** Opens a saved repository; the caller closes the backend. */
  openRepository(repositoryId: string, signal?: AbortSignal): Promise<RepositoryBackend>;
  locks: TargetLocks;
  /** Operations running in this process (their journals are not "interrupted"). */
  active: Set<string>;
  /** Tests: called after the journal was written for a step, before the step runs. */
  beforeStep?: (step: JournalStep, journal: Journal) => Promise<void> | void;
}

type ParsedInput = {
  repositoryId: string;
  snapshotId: string;
  targetHostId: string;
  map: Record<string, string>;
  sources?: string[] | undefined;
  safetyCopy: boolean;
  confirm?: string | undefined;
  decryption?: { passphrase?: string | undefined; identities?: string[] | undefined } | undefined;
};

export function newOperationId(kind: 'restore' | 'verify', now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${kind}-${randomBytes(3).toString('hex')}`;
}

export async function loadManifest(backend: RepositoryBackend, snapshotId: string, signal?: AbortSignal): Promise<Manifest> {
  let key: string;
  try {
    key = manifestKey(snapshotId);
  } catch {
    throw new RpcError('INVALID_INPUT', `"${snapshotId}" is not a snapshot id (like 20261121T221530Z-<set>-<4 hex>).`);
  }
  return readJsonObject(backend, key, Manifest, signal ? { signal } : {});
}

export async function buildPlan(deps: RestoreDeps, input: ParsedInput, signal?: AbortSignal): Promise<{ plan: RestorePlan; manifest: Manifest }> {
  const host = await deps.host(input.targetHostId);
  const backend = await deps.openRepository(input.repositoryId, signal);
  let manifest: Manifest;
  try {
    manifest = await loadManifest(backend, input.snapshotId, signal);
  } finally {
    await backend.close();
  }
  const inventory = await targetInventory(await deps.engineFor(host.id), signal);
  const plan = planRestore({
    manifest,
    repositoryId: input.repositoryId,
    target: host,
    map: input.map,
    sources: input.sources,
    safetyCopy: input.safetyCopy,
    confirm: input.confirm,
    inventory,
  });
  return { plan, manifest };
}

function say(ctx: TaskContext | undefined, message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
  ctx?.report({ type: 'log', level, message, ts: new Date().toISOString() });
}

function progress(ctx: TaskContext | undefined, fraction: number | null, message: string, bytes?: { done: number; total: number }): void {
  ctx?.report({ type: 'progress', fraction, message, ...(bytes ? { bytesDone: bytes.done, bytesTotal: bytes.total } : {}) });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function safetyDir(configDir: string, opId: string): string {
  return path.join(configDir, 'safety', opId);
}

/** Checks one restored source against its manifest entry. */
async function verifySource(engine: Engine, src: ManifestSource, target: string, moved: RestoreOneResult, signal?: AbortSignal): Promise<SourceCheck> {
  const checks: SourceCheck['checks'] = [
    { name: 'stored sha256', ok: moved.storedSha256 === src.storedSha256, expected: src.storedSha256, actual: moved.storedSha256 },
    { name: 'raw sha256', ok: moved.rawSha256 === src.rawSha256, expected: src.rawSha256, actual: moved.rawSha256 },
  ];
  if (moved.tar) {
    if (src.fileCount !== undefined) checks.push({ name: 'entries', ok: moved.tar.entries === src.fileCount, expected: String(src.fileCount), actual: String(moved.tar.entries) });
    if (src.fileBytes !== undefined) checks.push({ name: 'file bytes', ok: moved.tar.fileBytes === src.fileBytes, expected: String(src.fileBytes), actual: String(moved.tar.fileBytes) });
  }
  if (src.kind === 'postgres') {
    // rowCounts: the one database origin.database names; databaseRowCounts: every database of a dumpall.
    const expected: Record<string, Record<string, number>> = { ...(src.databaseRowCounts ?? {}) };
    if (src.rowCounts) expected[src.origin.database ?? 'postgres'] = src.rowCounts;
    for (const [database, tables] of Object.entries(expected)) {
      const actual = await postgresRowCounts({ engine, container: target, database, ...(signal ? { signal } : {}) });
      for (const [table, n] of Object.entries(tables)) {
        checks.push({ name: `rows ${database}.${table}`, ok: actual[table] === n, expected: String(n), actual: actual[table] === undefined ? 'missing' : String(actual[table]) });
      }
    }
  }
  return { source: src.name, target, ok: checks.every((c) => c.ok), checks };
}

function majorOf(version: string | undefined): number | undefined {
  const m = version?.match(/(\d+)(?:\.\d+)?/);
  return m ? Number(m[1]) : undefined;
}

/**
 * Pre-flight free space, best effort: for each existing target volume, what its filesystem would
 * have once the volume is cleared must hold the snapshot's file bytes (else refused before anything
 * is stopped); a new volume's space is not measured (warned). The safety copies go to the config
 * dir: warned when its disk has less free space than the volumes hold now.
 */
async function checkSpace(
  configDir: string,
  engine: Engine,
  hostName: string,
  targets: JournalTarget[],
  srcOf: (t: JournalTarget) => ManifestSource,
  safetyCopy: boolean,
  note: (m: string, l?: 'info' | 'warn' | 'error') => void,
  signal?: AbortSignal,
): Promise<void> {
  let toCopy = 0;
  for (const t of targets) {
    if (t.kind !== 'volume') continue;
    if (t.created) {
      note(`Free space for the new volume ${t.target} on ${hostName} is not measured.`, 'warn');
      continue;
    }
    let space: VolumeSpace | undefined;
    try {
      space = await volumeSpace(engine, t.target, signal);
    } catch (e) {
      if (signal?.aborted) throw e;
      space = undefined;
    }
    if (!space) {
      note(`Free space for ${t.target} on ${hostName} could not be measured.`, 'warn');
      continue;
    }
    toCopy += space.usedBytes;
    const src = srcOf(t);
    const need = src.fileBytes ?? src.rawBytes;
    const room = space.availableBytes + space.usedBytes;
    if (room < need) {
      throw new RpcError('CONFLICT', `Not enough space for ${t.target} on ${hostName}: the snapshot holds ${need} bytes of files, the volume's filesystem would have ${room} once cleared.`);
    }
    note(`Space for ${t.target}: ${room} bytes once cleared, ${need} needed.`);
  }
  if (safetyCopy && toCopy > 0) {
    try {
      const fsStat = await fsp.statfs(configDir);
      const free = fsStat.bavail * fsStat.bsize;
      if (free < toCopy) note(`The safety copies (up to ${toCopy} bytes before compression) may not fit in ${configDir} (${free} bytes free).`, 'warn');
    } catch {
      note(`Free space in ${configDir} could not be measured.`, 'warn');
    }
  }
}

export interface RunOptions {
  kind?: 'restore' | 'verify';
  /** Verify: the volumes to create are fresh throwaway names; the caller removes them. */
  opId?: string;
}

/**
 * Runs a restore. Resolves with the result when it succeeded; throws an RpcError when it was
 * refused (CONFLICT: protected host not confirmed, target locked; INVALID_INPUT: a plan with
 * blockers) or failed (the message says whether it was rolled back; `detail` holds the journal id).
 */
export async function runRestore(deps: RestoreDeps, input: ParsedInput, ctx?: TaskContext, opts: RunOptions = {}): Promise<RestoreResult> {
  const signal = ctx?.signal;
  const host = await deps.host(input.targetHostId);
  // Protected hosts: refused before anything else runs (no connection, no lock, no journal).
  if (host.protected && input.confirm !== host.name) {
    throw new RpcError(
      'CONFLICT',
      `Refused: host ${host.name} is protected; type its name to confirm (CLI: --confirm ${host.name}). Nothing was done.`,
      'refused: protected host',
    );
  }
  const { plan, manifest } = await buildPlan(deps, input, signal);
  if (plan.blockers.length) throw new RpcError('INVALID_INPUT', `Refused: ${plan.blockers.join(' ')}`, 'refused: plan blockers');
  // An encrypted source without its key fails here, before anything is stopped or copied.
  for (const t of plan.targets) encryptionFor(manifest.sources.find((s) => s.name === t.source)!, input.decryption);
  const engine = await deps.engineFor(host.id);
  // A target an interrupted operation left behind must be rolled back (or inspected) first.
  for (const j of await listJournals(deps.configDir)) {
    if (!isInterrupted(j, deps.active) || j.targetHostId !== host.id) continue;
    const clash = j.targets.find((jt) => plan.targets.some((t) => t.target === jt.target && (t.targetKind === 'volume') === (jt.kind === 'volume')));
    if (clash) {
      throw new RpcError('CONFLICT', `Operation ${j.id} was interrupted on ${clash.target}; roll it back first (hindsight operations rollback ${j.id}).`, 'refused: interrupted operation');
    }
  }
  const opId = opts.opId ?? newOperationId(opts.kind ?? 'restore');
  const release = await deps.locks.acquire(
    opId,
    plan.targets.map((t) => ({ hostId: host.id, kind: t.targetKind, name: t.target })),
  );
  deps.active.add(opId);
  const startedAt = new Date().toISOString();
  const journal: Journal = {
    version: 1,
    id: opId,
    kind: opts.kind ?? 'restore',
    state: 'running',
    step: 'planned',
    pid: process.pid,
    user: osUser(),
    snapshotId: manifest.id,
    repositoryId: input.repositoryId,
    sourceHost: manifest.sourceHost.name,
    targetHostId: host.id,
    targetHostName: host.name,
    safetyCopy: input.safetyCopy,
    targets: plan.targets.map((t) => ({ source: t.source, kind: t.kind as 'volume' | 'postgres', target: t.target, created: t.create, users: [], touched: false })),
    startedAt,
    updatedAt: startedAt,
    endedAt: null,
    log: [],
  };
  const note = (message: string, level: 'info' | 'warn' | 'error' = 'info') => {
    journal.log.push({ ts: new Date().toISOString(), message });
    say(ctx, message, level);
  };
  const enter = async (step: JournalStep) => {
    journal.step = step;
    await writeJournal(deps.configDir, journal);
    await deps.beforeStep?.(step, journal);
  };
  const srcOf = (t: JournalTarget) => manifest.sources.find((s) => s.name === t.source)!;
  const total = plan.steps.length;
  let stepNo = 0;
  const stepProgress = (message: string) => progress(ctx, Math.min(1, stepNo++ / total), message);
  const verification: SourceCheck[] = [];
  let backend: RepositoryBackend | undefined;

  try {
    await writeJournal(deps.configDir, journal);
    for (const w of plan.warnings) note(w, 'warn');

    // Pre-flight.
    await enter('preflight');
    stepProgress(`Pre-flight checks on ${host.name}`);
    await engine.connect();
    for (const t of journal.targets) {
      const src = srcOf(t);
      if (t.kind === 'postgres') {
        const want = majorOf(src.origin.engineVersion);
        const have = await postgresMajorVersion({ engine, container: t.target, ...(signal ? { signal } : {}) });
        if (want !== undefined && want !== have) {
          throw new RpcError('CONFLICT', `PostgreSQL ${have} in ${t.target} cannot take a dump of PostgreSQL ${want} (${src.origin.engineVersion}) safely: use a container of the same major version.`);
        }
        note(`${t.target}: PostgreSQL ${have}${want !== undefined ? ' (same major version as the snapshot)' : ''}`);
      }
    }
    await checkSpace(deps.configDir, engine, host.name, journal.targets, srcOf, input.safetyCopy, note, signal);
    backend = await deps.openRepository(input.repositoryId, signal);

    // Stop users: recorded in the journal BEFORE they are stopped.
    if (journal.targets.some((t) => t.kind === 'volume' && !t.created)) {
      for (const t of journal.targets) {
        if (t.kind !== 'volume' || t.created) continue;
        const users = await volumeUsers(engine, t.target, signal);
        t.users = users.map((u) => ({ id: u.id, name: u.name, state: formerState(u.status), status: u.status }));
      }
      if (journal.targets.some((t) => t.users.length)) {
        await enter('stop-users');
        stepProgress('Stopping the containers that use the targets');
        for (const t of journal.targets) {
          if (!t.users.length) continue;
          const saved = await stopUsers(engine, t.target, signal ? { signal } : {});
          note(`Stopped ${saved.users.map((u) => `${u.name} (was ${u.state})`).join(', ') || 'nothing'} for ${t.target}`);
        }
      }
    }

    // Safety copies.
    if (input.safetyCopy) {
      await enter('safety-copy');
      for (const t of journal.targets) {
        if (t.created) continue;
        stepProgress(`Safety copy of ${t.target}`);
        t.safetyCopy = await makeSafetyCopy({ engine, kind: t.kind, target: t.target, dir: safetyDir(deps.configDir, opId), source: t.source, ...(signal ? { signal } : {}) });
        const size = (await fsp.stat(t.safetyCopy)).size;
        note(`Safety copy of ${t.target}: ${t.safetyCopy} (${size} bytes)`);
        await writeJournal(deps.configDir, journal);
      }
    }

    // Restore.
    const moved = new Map<string, RestoreOneResult>();
    for (const t of journal.targets) {
      t.touched = true;
      await enter('restore');
      const src = srcOf(t);
      stepProgress(`Restoring ${src.name} into ${t.target}`);
      const result = await restoreOne({
        backend,
        engine,
        src,
        target: t.target,
        decryption: input.decryption,
        ...(signal ? { signal } : {}),
        onProgress: (p) => progress(ctx, p.fraction, `Restoring ${src.name} into ${t.target}`, { done: p.bytesDone, total: p.bytesTotal ?? src.storedBytes }),
      });
      moved.set(t.source, result);
      note(`Restored ${src.name} into ${t.target}: ${result.rawBytes} bytes${result.tar ? `, ${result.tar.entries} entries` : ''}`);
    }

    // Verify.
    await enter('verify');
    for (const t of journal.targets) {
      stepProgress(`Verifying ${t.target}`);
      const check = await verifySource(engine, srcOf(t), t.target, moved.get(t.source)!, signal);
      verification.push(check);
      if (!check.ok) {
        const bad = check.checks.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, found ${c.actual}`);
        throw new RpcError('INTERNAL', `Verification of ${t.target} failed: ${bad.join('; ')}`);
      }
      note(`Verified ${t.target}: ${check.checks.map((c) => c.name).join(', ')}`);
    }

    // Restart.
    await enter('restart');
    await restartAll(engine, journal, note);

    journal.step = 'done';
    journal.state = 'succeeded';
    journal.endedAt = new Date().toISOString();
    await writeJournal(deps.configDir, journal);
    progress(ctx, 1, 'Restore complete');
    if (journal.safetyCopy) await fsp.rm(safetyDir(deps.configDir, opId), { recursive: true, force: true });
    return { operationId: opId, state: 'succeeded', verification, warnings: plan.warnings, restarted: [], rolledBack: [], seconds: 0 };
  } catch (error) {
    journal.error = messageOf(error);
    note(`Failed during ${journal.step}: ${journal.error}`, 'error');
    const outcome = await rollBack(deps.configDir, engine, journal, note);
    journal.state = outcome.state;
    journal.endedAt = new Date().toISOString();
    await writeJournal(deps.configDir, journal).catch((e) => log.warn(`could not write the journal of ${opId}`, e));
    const code = RpcError.is(error) ? error.code : 'INTERNAL';
    const what =
      outcome.state === 'rolled-back'
        ? `${outcome.actions.length ? `rolled back (${outcome.actions.join('; ')})` : 'nothing had been changed'}`
        : `ROLLBACK FAILED: ${outcome.problems.join('; ')} — see operation ${opId}`;
    throw new RpcError(code === 'CANCELLED' ? 'CANCELLED' : code, `Restore ${opId} failed: ${journal.error} — ${what}.`, `operation ${opId}; state ${outcome.state}`);
  } finally {
    await backend?.close().catch(() => undefined);
    deps.active.delete(opId);
    await release();
    await appendAudit(deps.configDir, {
      operationId: opId,
      kind: journal.kind,
      user: journal.user,
      snapshotId: manifest.id,
      repositoryId: input.repositoryId,
      from: `${manifest.sourceHost.name}: ${manifest.sources.map((s) => s.name).join(', ')}`,
      to: `${host.name}: ${journal.targets.map((t) => t.target).join(', ')}`,
      result: journal.state,
      ...(journal.error ? { error: journal.error } : {}),
      startedAt,
      endedAt: journal.endedAt ?? new Date().toISOString(),
    }).catch((e) => log.warn('could not append to the audit log', e));
  }
}

async function restartAll(engine: Engine, journal: Journal, note: (m: string, l?: 'info' | 'warn' | 'error') => void): Promise<void> {
  for (const t of journal.targets) {
    if (!t.users.length) continue;
    const out = await restartUsers(engine, { volume: t.target, users: t.users });
    note(`Started again: ${out.restored.join(', ') || 'none needed'} (${t.target})`);
  }
}

interface RollbackOutcome {
  state: Extract<OperationState, 'rolled-back' | 'rollback-failed'>;
  actions: string[];
  problems: string[];
}

/** Puts touched targets back (safety copy, or remove a volume we created), then restarts the users. Never throws. */
async function rollBack(configDir: string, engine: Engine, journal: Journal, note: (m: string, l?: 'info' | 'warn' | 'error') => void): Promise<RollbackOutcome> {
  const actions: string[] = [];
  const problems: string[] = [];
  const touched = journal.targets.filter((t) => t.touched);
  if (touched.length || journal.targets.some((t) => t.users.length)) {
    journal.step = 'rollback';
    // The journal may be unwritable (disk full): roll back anyway.
    await writeJournal(configDir, journal).catch(() => undefined);
  }
  for (const t of touched) {
    try {
      if (t.created) {
        await removeVolume(engine, t.target);
        actions.push(`removed the new volume ${t.target}`);
      } else if (t.safetyCopy) {
        await restoreSafetyCopy({ engine, kind: t.kind, target: t.target, file: t.safetyCopy });
        actions.push(`${t.target} put back from its safety copy`);
      } else {
        problems.push(`${t.target} has no safety copy and may hold a partial restore`);
        continue;
      }
      t.touched = false;
      note(`Rolled back ${t.target}`);
    } catch (e) {
      problems.push(`${t.target}: ${messageOf(e)}`);
      note(`Could not roll back ${t.target}: ${messageOf(e)}`, 'error');
    }
  }
  try {
    const before = journal.targets.reduce((n, t) => n + t.users.filter((u) => u.state !== 'stopped').length, 0);
    await restartAll(engine, journal, note);
    if (before) actions.push(`restarted ${before} container(s)`);
  } catch (e) {
    problems.push(messageOf(e));
  }
  return { state: problems.length ? 'rollback-failed' : 'rolled-back', actions, problems };
}

/**
 * Rolls back an operation whose process is gone (found at start as "interrupted"), following
 * `recoveryAction`. Refuses one that is running in this process or already finished.
 */
export async function rollbackOperation(deps: RestoreDeps, id: string, ctx?: TaskContext): Promise<{ id: string; state: OperationState; actions: string[] }> {
  const journal = await readJournal(deps.configDir, id);
  if (!journal) throw new RpcError('NOT_FOUND', `There is no operation ${id}.`);
  if (deps.active.has(id)) throw new RpcError('CONFLICT', `Operation ${id} is still running in this process; cancel it instead.`);
  if (journal.state !== 'running' && journal.state !== 'rollback-failed') {
    throw new RpcError('CONFLICT', `Operation ${id} is ${journal.state}; only an interrupted one can be rolled back.`);
  }
  const action = recoveryAction(journal);
  const release = await deps.locks.acquire(
    id,
    journal.targets.map((t) => ({ hostId: journal.targetHostId, kind: t.kind === 'volume' ? ('volume' as const) : ('container' as const), name: t.target })),
  );
  deps.active.add(id);
  const startedAt = new Date().toISOString();
  const note = (message: string, level: 'info' | 'warn' | 'error' = 'info') => {
    journal.log.push({ ts: new Date().toISOString(), message });
    say(ctx, message, level);
  };
  try {
    note(`Recovery of ${id}: ${action.reason}`);
    let outcome: RollbackOutcome;
    if (action.kind === 'none') {
      outcome = { state: 'rolled-back', actions: [], problems: [] };
    } else {
      const engine = await deps.engineFor(journal.targetHostId);
      await engine.connect();
      outcome = await rollBack(deps.configDir, engine, journal, note);
      if (action.kind === 'restart-unrecoverable') outcome.problems.push(action.reason);
      if (outcome.problems.length) outcome.state = 'rollback-failed';
    }
    journal.state = outcome.state;
    journal.endedAt = new Date().toISOString();
    journal.error ??= 'interrupted';
    await writeJournal(deps.configDir, journal);
    if (outcome.state === 'rolled-back') await fsp.rm(safetyDir(deps.configDir, id), { recursive: true, force: true });
    else throw new RpcError('INTERNAL', `Rollback of ${id} incomplete: ${outcome.problems.join('; ')}`);
    return { id, state: outcome.state, actions: outcome.actions };
  } finally {
    deps.active.delete(id);
    await release();
    await appendAudit(deps.configDir, {
      operationId: id,
      kind: 'rollback',
      user: osUser(),
      snapshotId: journal.snapshotId,
      repositoryId: journal.repositoryId,
      from: `safety copies of ${id}`,
      to: `${journal.targetHostName}: ${journal.targets.map((t) => t.target).join(', ')}`,
      result: journal.state,
      startedAt,
      endedAt: new Date().toISOString(),
    }).catch(() => undefined);
  }
}
