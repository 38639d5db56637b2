/**
 * Retention of safety copies (<config dir>/safety/<operation id>/). A restore that succeeds removes
 * its own at once; a failed one keeps them, because they are what a person inspects (or what a
 * rollback after a crash needs). This sweep, run at start and after each operation, removes the
 * copies of operations that ENDED well — succeeded, or rolled back completely — more than the
 * retention ago (default 7 days; HINDSIGHT_SAFETY_RETENTION_DAYS). Never those of an interrupted
 * operation (journal still "running"), of a failed rollback, of one running in this process, nor
 * a folder without a readable journal: the only copy of someone's data is never guessed away.
 *
 * Copies kept on the target host (volumes, host-safety.ts; databases' and directories' in its
 * agent's state, agent-safety.ts) go with their folder: removed on the host first, through
 * `engineFor`; a host that cannot be reached keeps the folder, and the next sweep tries again.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../log.js';
import type { Engine } from '../docker/engine.js';
import { hostCopyVolume, removeHostCopies } from './host-safety.js';
import { agentCopyOf, removeAgentCopies } from './agent-safety.js';
import { readJournal, type Journal } from './journal.js';

const log = createLogger('restore');

export const DEFAULT_SAFETY_RETENTION_DAYS = 7;
export const SAFETY_RETENTION_ENV = 'HINDSIGHT_SAFETY_RETENTION_DAYS';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The retention in days: the environment's when it is a non-negative number, else the default. */
export function safetyRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SAFETY_RETENTION_ENV];
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_SAFETY_RETENTION_DAYS;
}

/** Where an operation's safety copies on this computer are (and the marker of one whose copies are on its host). */
export function safetyDir(configDir: string, opId: string): string {
  return path.join(safetyRoot(configDir), opId);
}

const safetyRoot = (configDir: string) => path.join(configDir, 'safety');

/** Whether some of an operation's safety copies are kept on its target host. */
const keptOnHost = (journal: Journal) => journal.targets.some((t) => hostCopyVolume(t.safetyCopy) || agentCopyOf(t.safetyCopy));

export type SweepDecision = { remove: true; reason: string } | { remove: false; reason: string };

/** Whether the safety copies of one operation may go (pure; unit-tested). */
export function sweepDecision(journal: Journal | undefined, opts: { now: Date; retentionDays: number; active: ReadonlySet<string> }): SweepDecision {
  if (!journal) return { remove: false, reason: 'no readable journal: kept' };
  if (opts.active.has(journal.id)) return { remove: false, reason: 'running in this process' };
  if (journal.state !== 'succeeded' && journal.state !== 'rolled-back') {
    return { remove: false, reason: journal.state === 'running' ? 'interrupted: needed for its rollback' : `${journal.state}: kept for inspection` };
  }
  const ended = journal.endedAt ? Date.parse(journal.endedAt) : NaN;
  if (!Number.isFinite(ended)) return { remove: false, reason: 'no end time recorded' };
  const age = opts.now.getTime() - ended;
  if (age < opts.retentionDays * DAY_MS) return { remove: false, reason: `ended ${Math.floor(age / DAY_MS)} day(s) ago, within the retention` };
  return { remove: true, reason: `${journal.state} ${Math.floor(age / DAY_MS)} day(s) ago` };
}

export interface SweepResult {
  removed: string[];
  kept: string[];
}

/**
 * Removes the safety copies of one operation: those kept on its host (when the journal names any;
 * a failure keeps the folder and is logged, or said through `note`), then its folder.
 */
export async function discardSafetyCopies(configDir: string, journal: Journal, engine: Engine | undefined, note?: (message: string, level?: 'warn') => void): Promise<boolean> {
  if (keptOnHost(journal)) {
    try {
      if (!engine) throw new Error(`no connection to ${journal.targetHostName}`);
      await engine.connect();
      const removed = await removeHostCopies(engine, journal.id);
      if (journal.targets.some((t) => agentCopyOf(t.safetyCopy))) removed.push(...(await removeAgentCopies(engine, journal.id)));
      if (removed.length) log.info(`removed the safety copies ${removed.join(', ')} of ${journal.id} from ${journal.targetHostName}`);
    } catch (e) {
      const message = `could not remove the safety copies of ${journal.id} from ${journal.targetHostName} (kept; tried again later): ${e instanceof Error ? e.message : String(e)}`;
      if (note) note(message, 'warn');
      else log.warn(message);
      return false;
    }
  }
  await fsp.rm(safetyDir(configDir, journal.id), { recursive: true, force: true });
  return true;
}

export async function sweepSafetyCopies(
  configDir: string,
  opts: { now?: Date; retentionDays?: number; active?: ReadonlySet<string>; engineFor?: (hostId: string) => Promise<Engine> } = {},
): Promise<SweepResult> {
  const root = safetyRoot(configDir);
  let ids: string[];
  try {
    ids = (await fsp.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { removed: [], kept: [] };
    throw e;
  }
  const now = opts.now ?? new Date();
  const retentionDays = opts.retentionDays ?? safetyRetentionDays();
  const active = opts.active ?? new Set<string>();
  const result: SweepResult = { removed: [], kept: [] };
  for (const id of ids) {
    let journal: Journal | undefined;
    try {
      journal = await readJournal(configDir, id);
    } catch {
      journal = undefined;
    }
    const decision = sweepDecision(journal, { now, retentionDays, active });
    if (!decision.remove) {
      result.kept.push(id);
      continue;
    }
    // At start-up no host is connected to (a sweep must not wait on SSH): copies kept on a host
    // wait for the sweep after the next operation, which passes engineFor.
    const onHost = journal && keptOnHost(journal);
    if (onHost && !opts.engineFor) {
      result.kept.push(id);
      continue;
    }
    const engine = journal && onHost && opts.engineFor ? await opts.engineFor(journal.targetHostId).catch(() => undefined) : undefined;
    if (!journal || !(await discardSafetyCopies(configDir, journal, engine))) {
      result.kept.push(id);
      continue;
    }
    result.removed.push(id);
    log.info(`removed the safety copies of ${id} (${decision.reason}; retention ${retentionDays} days)`);
  }
  return result;
}
