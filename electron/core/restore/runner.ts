/**
 * The restore as a journaled state machine (ARCHITECTURE §6): plan → pre-flight → stop users →
 * safety copy → restore → verify → restart, the journal rewritten before each step; any failure
 * from the first write on rolls back from the safety copy and restarts the containers; every run
 * leaves an audit record. Rolling back is rollback.ts's, also for a journal an interrupted
 * process left behind (`rollbackOperation`).
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import { RpcError } from '../../../shared/contract/errors.js';
import { isLaterLevel } from '../../../shared/levels.js';
import type { RestorePlan, RestoreResult, SourceCheck } from '../../../shared/contract/restore.js';
import type { Manifest, ManifestSource, SnapshotTrust } from '../../../shared/contract/snapshots.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { Engine } from '../docker/engine.js';
import { createLogger } from '../log.js';
import type { RepositoryBackend } from '../repository/index.js';
import { stopUsers, volumeUsers } from '../sources/index.js';
import { formerState } from '../sources/volume-users.js';
import { engineId } from '../docker/engine-id.js';
import { BackupSetsStore } from '../backup/backup-sets-store.js';
import { readCheckedManifest, requireTrusted, TrustedWriters, type CheckedManifest } from '../signing/index.js';
import { appendAudit, osUser } from './audit.js';
import { brokenChains } from './restore-levels.js';
import { encryptionFor, journalTargetOf, restoreOne, safetyCopyOf, targetInventory, type RestoreOneResult } from './data-moves.js';
import type { PipelineProgress } from '../pipeline/index.js';
import { kindOf } from '../kinds/registry.js';
import { startJournal, writeJournal, type Journal, type JournalStep, type JournalTarget } from './journal.js';
import { planRestore, type TargetInventory } from './planner.js';
import { discardSafetyCopies, safetyDir, sweepSafetyCopies } from './safety-sweep.js';
import { restartAll, rollBack, throwawayOutcome } from './rollback.js';
import { messageOf, progress, say } from './task-notes.js';
import { makeHostSafetyCopy } from './host-safety.js';
import { keepCopyOnAgent } from './agent-safety.js';
import { dataRootProbe, interruptedClash, refusalOf, targetChecks } from './preflight.js';

const log = createLogger('restore');

export type { DirectSourceRequest, DirectStarted, HostFacts, RestoreDeps, RestoreInput } from './restore-deps.js';
import type { DirectSourceRequest, DirectStarted, RestoreDeps, RestoreInput } from './restore-deps.js';

export function newOperationId(kind: 'restore' | 'verify', now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${kind}-${randomBytes(3).toString('hex')}`;
}

/**
 * The manifest a restore or verify may use: signed by a writer trusted for its source host (or
 * accepted by the user with allowUnsigned), and not lowering what its saved set requires (a set
 * marked encrypted never takes an unencrypted snapshot). Refused with UNTRUSTED before anything on
 * the target is touched.
 */
export async function loadManifest(deps: Pick<RestoreDeps, 'configDir'>, backend: RepositoryBackend, input: { snapshotId: string; allowUnsigned?: boolean | undefined }, what: string, signal?: AbortSignal): Promise<CheckedManifest> {
  const checked = await readCheckedManifest(backend, input.snapshotId, new TrustedWriters(deps.configDir), signal);
  requireTrusted(checked, what, { allowUnsigned: input.allowUnsigned });
  const set = (await new BackupSetsStore(deps.configDir).list()).find((s) => s.name === checked.manifest.set);
  const plain = checked.manifest.sources.filter((s) => s.encryption === 'none').map((s) => s.name);
  if (set && set.encryption !== 'none' && plain.length) {
    throw new RpcError(
      'UNTRUSTED',
      `Refused to ${what} ${checked.manifest.id}: set ${set.name} is encrypted (${set.encryption}), but this snapshot says ${plain.join(', ')} ${plain.length > 1 ? 'are' : 'is'} not — a snapshot cannot lower what its set requires. Nothing was touched.`,
      'encryption-lowered',
    );
  }
  return checked;
}

export async function buildPlan(
  deps: RestoreDeps,
  input: RestoreInput,
  signal?: AbortSignal,
): Promise<{ plan: RestorePlan; manifest: Manifest; inventory: TargetInventory; trust: SnapshotTrust; safetyImage: string | null }> {
  const host = await deps.host(input.targetHostId);
  const backend = await deps.openRepository(input.repositoryId, signal);
  let manifest: Manifest;
  let trust: SnapshotTrust;
  let broken: Record<string, string>;
  try {
    ({ manifest, trust } = await loadManifest(deps, backend, input, 'restore', signal));
    // Levels of incremental chains: every level's object must be there before anything is touched.
    broken = await brokenChains(backend, manifest, input.sources, signal);
  } finally {
    await backend.close();
  }
  const inventory = await targetInventory(await deps.engineFor(host.id), signal);
  // Whether the host's agent runs (its image): the volumes' safety copies are then kept on the host
  // (host-safety.ts), and levels of incremental chains can be extracted there (GNU tar). A host that
  // cannot say counts as without. Asked once: the plan, the pre-flight and the run agree.
  const wantsAgent = input.safetyCopy || manifest.sources.some((s) => s.incremental);
  const agentImage = wantsAgent ? ((await deps.hostSafetyImage?.(host.id).catch(() => null)) ?? null) : null;
  const safetyImage = input.safetyCopy ? agentImage : null;
  const plan = planRestore({
    safetyOnHost: !!safetyImage,
    agentOnTarget: !!agentImage,
    brokenChains: broken,
    manifest,
    repositoryId: input.repositoryId,
    target: host,
    map: input.map,
    paths: input.paths,
    sources: input.sources,
    safetyCopy: input.safetyCopy,
    confirm: input.confirm,
    inventory,
  });
  return { plan, manifest, inventory, trust, safetyImage };
}

export { safetyDir };

/** Checks one restored source against its manifest entry. */
async function verifySource(engine: Engine, src: ManifestSource, target: string, moved: RestoreOneResult, signal?: AbortSignal): Promise<SourceCheck> {
  const checks: SourceCheck['checks'] = [
    { name: 'stored sha256', ok: moved.storedSha256 === src.storedSha256, expected: src.storedSha256, actual: moved.storedSha256 },
    // The raw bytes are the decoding of the stored bytes checked above (run-pipeline.ts): their
    // sha256 is compared only where it was computed (an agent before this change computes it).
    moved.rawSha256 !== undefined
      ? { name: 'raw sha256', ok: moved.rawSha256 === src.rawSha256, expected: src.rawSha256, actual: moved.rawSha256 }
      : { name: 'raw bytes', ok: moved.rawBytes === src.rawBytes, expected: String(src.rawBytes), actual: String(moved.rawBytes) },
  ];
  if (moved.tar) {
    if (src.fileCount !== undefined) checks.push({ name: 'entries', ok: moved.tar.entries === src.fileCount, expected: String(src.fileCount), actual: String(moved.tar.entries) });
    if (src.fileBytes !== undefined) checks.push({ name: 'file bytes', ok: moved.tar.fileBytes === src.fileBytes, expected: String(src.fileBytes), actual: String(moved.tar.fileBytes) });
  }
  // A chain of levels: the tree in the target is the one the last level listed (pipeline/tree-digest.ts).
  const treeDigest = src.incremental?.treeDigest;
  if (treeDigest && moved.tree) checks.push({ name: 'tree', ok: moved.tree.digest === treeDigest, expected: treeDigest, actual: moved.tree.digest });
  const databases = kindOf(src.kind).restoring.databases;
  if (databases) checks.push(...(await databases.rowChecks(engine, src, target, signal)));
  return { source: src.name, target, ok: checks.every((c) => c.ok), checks };
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
export async function runRestore(deps: RestoreDeps, input: RestoreInput, taskCtx?: TaskContext, opts: RunOptions = {}): Promise<RestoreResult> {
  let ctx = taskCtx;
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
  const { plan, manifest, inventory, trust, safetyImage } = await buildPlan(deps, input, signal);
  if (plan.blockers.length) throw new RpcError('INVALID_INPUT', `Refused: ${plan.blockers.join(' ')}`, 'refused: plan blockers');
  // An encrypted source without its key fails here, before anything is stopped or copied.
  for (const t of plan.targets) encryptionFor(manifest.sources.find((s) => s.name === t.source)!, input.decryption);
  const engine = await deps.engineFor(host.id);
  // A target an interrupted operation left behind must be rolled back (or inspected) first.
  const clash = await interruptedClash(deps.configDir, deps.active, host.id, plan);
  if (clash) throw new RpcError('CONFLICT', clash, 'refused: interrupted operation');
  const opId = opts.opId ?? newOperationId(opts.kind ?? 'restore');
  // Keyed by the engine's own ID: another host entry reaching the same engine is the same target.
  const engineKey = await engineId(engine);
  const release = await deps.locks.acquire(
    opId,
    plan.targets.map((t) => ({ engineId: engineKey, kind: t.targetKind, name: t.target })),
  );
  deps.active.add(opId);
  if (deps.operations) ctx = deps.operations.begin(opId, ctx);
  const journal: Journal = startJournal({
    id: opId,
    kind: opts.kind ?? 'restore',
    user: osUser(),
    snapshotId: manifest.id,
    repositoryId: input.repositoryId,
    sourceHost: manifest.sourceHost.name,
    targetHostId: host.id,
    targetHostName: host.name,
    safetyCopy: input.safetyCopy,
    targets: plan.targets.map((t) => journalTargetOf(t, manifest)),
    warnings: plan.warnings,
  });
  const startedAt = journal.startedAt;
  const note = (message: string, level: 'info' | 'warn' | 'error' = 'info') => {
    journal.log.push({ ts: new Date().toISOString(), message });
    say(ctx, message, level);
  };
  const enter = async (step: JournalStep) => {
    const changed = journal.step !== step;
    journal.step = step;
    if (changed) journal.history.push({ step, at: new Date().toISOString() });
    await writeJournal(deps.configDir, journal);
    if (changed) deps.operations?.changed(opId);
    await deps.beforeStep?.(step, journal);
  };
  const srcOf = (t: JournalTarget) => manifest.sources.find((s) => s.name === t.source)!;
  const requestOf = (t: JournalTarget): DirectSourceRequest => {
    const src = srcOf(t);
    const whole = !isLaterLevel(src);
    return { repositoryId: input.repositoryId, snapshotId: input.snapshotId, source: src.name, target: t.target, directory: t.path, decryption: input.decryption, allowUnsigned: !!input.allowUnsigned, ...(whole ? { prepareAs: src.kind } : {}) };
  };
  const total = plan.steps.length;
  let stepNo = 0;
  const stepProgress = (message: string, step: JournalStep, source?: string) => progress(ctx, Math.min(1, stepNo++ / total), message, undefined, { step, source });
  const verification: SourceCheck[] = [];
  let backend: RepositoryBackend | undefined;
  let early: Promise<DirectStarted | null> | null = null;

  try {
    await writeJournal(deps.configDir, journal);
    if (!input.safetyCopy) note(`Safety copy OFF — a failure cannot be rolled back. Reason given: ${input.note?.trim() || '(none)'}`, 'warn');
    else if (input.note?.trim()) note(`Note: ${input.note.trim()}`);
    for (const w of plan.warnings) note(w, 'warn');

    // Pre-flight (the first source's direct restore getting ready meanwhile).
    early = deps.directStart && journal.targets[0] ? deps.directStart(host.id, requestOf(journal.targets[0]), signal) : null;
    early?.catch(() => undefined); // its failure is the restore step's to report, as `direct`'s would be
    await enter('preflight');
    stepProgress(`Pre-flight checks on ${host.name}`, 'preflight');
    await engine.connect();
    // With the agent running on the target host, every safety copy is kept there (volumes as
    // volumes, host-safety.ts; databases and directories by the agent, agent-safety.ts).
    const hostImage = journal.targets.some((t) => !t.created) ? safetyImage : null;
    // The same checks restore.preflight shows (preflight.ts); a failed one refuses the run here.
    const checks = await targetChecks({
      safetyOnHost: !!hostImage,
      engine,
      hostName: host.name,
      plan,
      manifest,
      configDir: deps.configDir,
      safetyCopy: input.safetyCopy,
      probeVolume: dataRootProbe(inventory),
      ...(early ? { dataRootFree: async () => (await early?.catch(() => null))?.dataRootFree?.() } : {}),
      signal,
    });
    for (const c of checks) note(c.detail, c.status === 'pass' ? 'info' : c.status === 'warn' ? 'warn' : 'error');
    const refusal = refusalOf(checks);
    if (refusal) throw refusal;
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
        stepProgress('Stopping the containers that use the targets', 'stop-users');
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
      // The folder also marks the operation for the sweep when every copy is kept on the host.
      await fsp.mkdir(safetyDir(deps.configDir, opId), { recursive: true, mode: 0o700 });
      for (const [index, t] of journal.targets.entries()) {
        if (t.created) continue;
        stepProgress(`Safety copy of ${t.target}`, 'safety-copy', t.source);
        if (hostImage && t.kind === 'volume') {
          const kept = await makeHostSafetyCopy(engine, { image: hostImage, volume: t.target, opId, index, signal });
          t.safetyCopy = kept.ref;
          t.safetyCopyImage = hostImage;
          note(`Safety copy of ${t.target}: volume ${kept.volume}, kept on ${host.name}${kept.bytes !== undefined ? ` (${kept.bytes} bytes)` : ''}`);
          await writeJournal(deps.configDir, journal);
          continue;
        }
        if (hostImage && (await keepCopyOnAgent(engine, t, opId, host.name, note, signal))) {
          await writeJournal(deps.configDir, journal);
          continue;
        }
        const copy = await safetyCopyOf(engine, t, safetyDir(deps.configDir, opId), signal);
        if (copy) {
          t.safetyCopy = copy;
          note(`Safety copy of ${t.target}: ${copy} (${(await fsp.stat(copy)).size} bytes)`);
        } else note(`${t.path} does not exist in ${t.target} yet: nothing to copy; a rollback removes it.`);
        await writeJournal(deps.configDir, journal);
      }
    }

    // Restore.
    const moved = new Map<string, RestoreOneResult>();
    for (const t of journal.targets) {
      t.touched = true;
      await enter('restore');
      const src = srcOf(t);
      stepProgress(`Restoring ${src.name} into ${t.target}`, 'restore', t.source);
      const onProgress = (p: PipelineProgress) => progress(ctx, p.fraction, `Restoring ${src.name} into ${t.target}`, { done: p.bytesDone, total: p.bytesTotal ?? src.storedBytes }, { step: 'restore', source: t.source });
      const req = requestOf(t);
      // The first source's was asked for before the pre-flight (null: no agent can; not asked again).
      const first = t === journal.targets[0] ? early : null;
      early = null;
      const started = first ? await first : null;
      const direct = first ? (started ? await started.run(req, onProgress) : null) : await deps.direct?.(input.targetHostId, req, signal, onProgress);
      const result = direct ?? (await restoreOne({ backend, engine, src, target: t.target, directory: t.path, decryption: input.decryption, ...(signal ? { signal } : {}), onProgress }));
      moved.set(t.source, result);
      note(`Restored ${src.name} into ${t.target}${direct ? ` (directly, by the agent on ${host.name})` : ''}: ${result.rawBytes} bytes${result.tar ? `, ${result.tar.entries} entries` : ''}`);
      const holes = result.holes;
      if (holes && 'why' in holes) note(`The zero-filled files of ${src.name} were written out in full (not sparse): ${holes.why}`, 'warn');
      else if (holes?.dug) note(`Made ${holes.dug} file(s) of ${t.target} sparse again (holes where the data is zeros)`);
    }

    // Verify.
    await enter('verify');
    for (const t of journal.targets) {
      stepProgress(`Verifying ${t.target}`, 'verify', t.source);
      const check = await verifySource(engine, srcOf(t), t.target, moved.get(t.source)!, signal);
      verification.push(check);
      journal.verification = verification;
      if (!check.ok) {
        const bad = check.checks.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, found ${c.actual}`);
        throw new RpcError('INTERNAL', `Verification of ${t.target} failed: ${bad.join('; ')}`);
      }
      note(`Verified ${t.target}: ${check.checks.map((c) => c.name).join(', ')}`);
      const unchecked = check.checks.filter((c) => c.actual.startsWith('not checked'));
      if (unchecked.length) note(`${t.target}: ${unchecked.map((c) => c.name).join(', ')} ${unchecked[0]!.actual}`, 'warn');
    }

    // Restart.
    await enter('restart');
    stepProgress('Starting the containers again', 'restart');
    journal.restarted.push(...(await restartAll(engine, journal, note)));

    journal.step = 'done';
    journal.state = 'succeeded';
    journal.endedAt = new Date().toISOString();
    await writeJournal(deps.configDir, journal);
    progress(ctx, 1, 'Restore complete');
    if (journal.safetyCopy) await discardSafetyCopies(deps.configDir, journal, engine, note);
    const seconds = (Date.parse(journal.endedAt) - Date.parse(startedAt)) / 1000;
    return { operationId: opId, state: 'succeeded', verification, warnings: plan.warnings, restarted: journal.restarted, rolledBack: [], seconds };
  } catch (error) {
    journal.error = messageOf(error);
    journal.failedStep = journal.step;
    note(`Failed during ${journal.step}: ${journal.error}`, 'error');
    const outcome = await rollBack(deps.configDir, engine, journal, note);
    // A verify's targets are throwaways: it failed (the snapshot did not check out, or the run
    // broke), and its cleanup removed them; there was nothing of anyone's to put back.
    journal.state = journal.kind === 'verify' ? 'failed' : outcome.state;
    journal.rolledBack = outcome.actions;
    journal.endedAt = new Date().toISOString();
    await writeJournal(deps.configDir, journal).catch((e) => log.warn(`could not write the journal of ${opId}`, e));
    const code = RpcError.is(error) ? error.code : 'INTERNAL';
    const what =
      journal.kind === 'verify'
        ? throwawayOutcome(outcome)
        : outcome.state === 'rolled-back'
          ? `${outcome.actions.length ? `rolled back (${outcome.actions.join('; ')})` : 'nothing had been changed'}`
          : `ROLLBACK FAILED: ${outcome.problems.join('; ')} — see operation ${opId}`;
    const noun = journal.kind === 'verify' ? 'Verify' : 'Restore';
    throw new RpcError(code === 'CANCELLED' ? 'CANCELLED' : code, `${noun} ${opId} failed: ${journal.error} — ${what}.`, `operation ${opId}; state ${journal.state}`);
  } finally {
    void early?.then((s) => s?.cancel(), () => undefined);
    await backend?.close().catch(() => undefined);
    deps.active.delete(opId);
    await release();
    await deps.operations?.end(opId);
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
      ...(input.note?.trim() ? { note: input.note.trim() } : {}),
      ...(trust.status !== 'trusted' ? { accepted: `${trust.status}: ${trust.message}` } : {}),
      startedAt,
      endedAt: journal.endedAt ?? new Date().toISOString(),
    }).catch((e) => log.warn('could not append to the audit log', e));
    // Old safety copies of operations that ended well (safety-sweep.ts); this one's are never among them.
    await sweepSafetyCopies(deps.configDir, { active: deps.active, engineFor: deps.engineFor, ...(deps.safetyRetentionDays !== undefined ? { retentionDays: deps.safetyRetentionDays } : {}) }).catch((e) =>
      log.warn('could not sweep old safety copies', e),
    );
  }
}
