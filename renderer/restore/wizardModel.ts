/**
 * The restore wizard's pure model: the steps, what the user chose, the RestoreInput it makes and
 * whether a step may be left forward. No React, no backend: unit-tested on its own.
 */
import { traitsOf } from '../../shared/contract/source-kinds.js';
import type { Host, Manifest, PreflightCheck, RestoreInput, RestorePlan, SnapshotTrust } from '../../shared/contract/index.js';
import { restorePathProblem } from '../../shared/restore-paths.js';

export const STEPS = [
  { id: 'what', label: 'What', title: 'What to restore' },
  { id: 'where', label: 'Where', title: 'Where to restore it' },
  { id: 'preflight', label: 'Pre-flight', title: 'Pre-flight checks' },
  { id: 'plan', label: 'Plan', title: 'The plan' },
  { id: 'confirm', label: 'Confirm', title: 'Confirm' },
  { id: 'run', label: 'Run', title: 'Restoring' },
  { id: 'result', label: 'Result', title: 'Result' },
] as const;
export type StepId = (typeof STEPS)[number]['id'];
export const stepIndex = (id: StepId) => STEPS.findIndex((s) => s.id === id);

export type PickMode = 'snapshot' | 'asOf';

/** Everything the user decided; kept across steps (going back never loses a choice). */
export interface Choices {
  repositoryId: string;
  mode: PickMode;
  /** The snapshot to restore (picked from the list, or the one "as of" resolved to). */
  snapshotId: string;
  asOfText: string;
  /** Source names to restore. */
  sources: string[];
  targetHostId: string;
  /** source → target volume, or the container holding a database or a directory, on the target host. */
  map: Record<string, string>;
  /** Directory sources: the directory inside that container (the manifest's is only a default). */
  paths: Record<string, string>;
  safetyCopy: boolean;
  /** Why the safety copy was turned off (required to turn it off). */
  safetyReason: string;
  /** A protected host's name, typed. */
  confirmText: string;
  /** Encrypted snapshots only; never kept beyond this page. */
  passphrase: string;
  /** A snapshot no trusted writer signed: the word ACCEPT_UNSIGNED, typed to restore it anyway. */
  acceptUnsigned: string;
}

/** What the user types to restore a snapshot that no writer they trust signed (audited). */
export const ACCEPT_UNSIGNED = 'accept';
export const acceptsUnsigned = (c: Choices) => c.acceptUnsigned.trim().toLowerCase() === ACCEPT_UNSIGNED;

export const EMPTY_CHOICES: Choices = {
  repositoryId: '',
  mode: 'snapshot',
  snapshotId: '',
  asOfText: '',
  sources: [],
  targetHostId: '',
  map: {},
  paths: {},
  safetyCopy: true,
  safetyReason: '',
  confirmText: '',
  passphrase: '',
  acceptUnsigned: '',
};

export const isEncrypted = (m: Manifest | null | undefined) => !!m?.sources.some((s) => s.encryption !== 'none');

/** The contract input the choices make (plan, preflight and run all take the same one). */
export function toRestoreInput(c: Choices, manifest: Manifest | null): RestoreInput {
  const map: Record<string, string> = {};
  for (const s of c.sources) {
    const t = c.map[s]?.trim();
    if (t) map[s] = t;
  }
  const paths: Record<string, string> = {};
  for (const s of c.sources) {
    const p = c.paths[s]?.trim();
    if (p && traitsOf(manifest?.sources.find((x) => x.name === s)?.kind ?? '')?.intoPath) paths[s] = p;
  }
  return {
    repositoryId: c.repositoryId,
    snapshotId: c.snapshotId,
    targetHostId: c.targetHostId,
    map,
    ...(Object.keys(paths).length ? { paths } : {}),
    sources: [...c.sources],
    safetyCopy: c.safetyCopy,
    // Why the safety copy is off goes into the operation's log and the audit record.
    ...(!c.safetyCopy && c.safetyReason.trim() ? { note: c.safetyReason.trim() } : {}),
    ...(c.confirmText ? { confirm: c.confirmText } : {}),
    ...(acceptsUnsigned(c) ? { allowUnsigned: true } : {}),
    ...(isEncrypted(manifest) && c.passphrase ? { decryption: { passphrase: c.passphrase } } : {}),
  };
}

/** A stable key of what a plan/preflight was computed for (the confirm text does not change either). */
export function inputKey(c: Choices): string {
  const { confirmText: _c, passphrase: _p, safetyReason: _r, asOfText: _a, mode: _m, acceptUnsigned: _u, ...rest } = c;
  return JSON.stringify({ ...rest, allowUnsigned: acceptsUnsigned(c), sources: [...rest.sources].sort(), map: Object.fromEntries(c.sources.map((s) => [s, c.map[s] ?? s])) });
}

/** Default target per source: the same name as in the snapshot (a volume, or the container). */
export function defaultMap(manifest: Manifest): Record<string, string> {
  const map: Record<string, string> = {};
  for (const s of manifest.sources) map[s.name] = targetKindOf(s.kind) === 'container' && s.origin.container ? s.origin.container : (s.origin.volume ?? s.name);
  return map;
}

/** Directory sources: the directory they came from, as the default to restore into. */
export function defaultPaths(manifest: Manifest): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const s of manifest.sources) if (traitsOf(s.kind)?.intoPath && s.origin.path) paths[s.name] = s.origin.path;
  return paths;
}

/** Volumes land in a volume; databases and directories in a container (the contract's SOURCE_KINDS, as the planner sees it). */
export const targetKindOf = (kind: string): 'volume' | 'container' => traitsOf(kind)?.target ?? 'container';

export interface StepContext {
  choices: Choices;
  manifest: Manifest | null;
  /** Who signed the snapshot, once known. */
  trust?: SnapshotTrust | null;
  host: Host | null;
  preflight: { key: string; checks: PreflightCheck[] } | null;
  plan: { key: string; plan: RestorePlan } | null;
}

/** Why the user cannot go on from a step, in words (null: they can). */
export function blockedReason(step: StepId, ctx: StepContext): string | null {
  const { choices: c, manifest } = ctx;
  const key = inputKey(c);
  switch (step) {
    case 'what':
      if (!c.repositoryId) return 'Choose a repository.';
      if (!c.snapshotId || !manifest || manifest.id !== c.snapshotId) return c.mode === 'asOf' ? 'Type a date and pick the snapshot it finds.' : 'Pick a snapshot.';
      if (c.sources.length === 0) return 'Tick at least one source.';
      if (isEncrypted(manifest) && !c.passphrase) return 'This snapshot is encrypted: enter its passphrase.';
      if (ctx.trust && ctx.trust.status !== 'trusted' && !acceptsUnsigned(c)) return `No writer you trust signed this snapshot: type ${ACCEPT_UNSIGNED} to restore it anyway.`;
      return null;
    case 'where':
      if (!c.targetHostId || !ctx.host) return 'Choose the host to restore onto.';
      for (const s of c.sources) if (!c.map[s]?.trim()) return `Choose where ${s} goes.`;
      for (const s of c.sources) {
        if (!traitsOf(manifest?.sources.find((x) => x.name === s)?.kind ?? '')?.intoPath) continue;
        const problem = restorePathProblem(c.paths[s]?.trim() ?? '');
        if (!c.paths[s]?.trim()) return `Choose the directory ${s} goes into.`;
        if (problem) return problem;
      }
      return null;
    case 'preflight':
      if (!ctx.preflight || ctx.preflight.key !== key) return 'Wait for the pre-flight checks.';
      if (ctx.preflight.checks.some((x) => x.status === 'fail')) return 'A check failed: fix it (or change your choices), then refresh.';
      return null;
    case 'plan':
      if (!ctx.plan || ctx.plan.key !== key) return 'Wait for the plan.';
      if (ctx.plan.plan.blockers.length) return 'The plan cannot run as it is: see why above.';
      if (!c.safetyCopy && !c.safetyReason.trim()) return 'Say why the safety copy is off.';
      return null;
    case 'confirm':
      if (!ctx.plan || ctx.plan.key !== key || ctx.plan.plan.blockers.length) return 'Go back to the plan.';
      if (ctx.host?.protected && c.confirmText !== ctx.host.name) return `Type ${ctx.host.name} to confirm.`;
      return null;
    default:
      return null;
  }
}

/** The furthest step the stepper may jump to: every step before it must be complete. */
export function furthestOpen(reached: number, ctx: StepContext): number {
  let i = 0;
  while (i < reached && i < STEPS.length - 1 && !blockedReason(STEPS[i]!.id, ctx)) i++;
  return i;
}
