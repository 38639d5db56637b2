/**
 * A verify's targets are throwaways it made itself: fresh volumes (hindsight-verify-<6 hex>-<source>)
 * and fresh database containers labelled org.hindsight.verify=<operation id>. A failed or
 * interrupted verify has nothing to put back — it removes them; that is its whole "rollback", so it
 * can never leave a user's data half-restored (and never ends "rollback-failed").
 */
import { statusCodeOf } from '../docker/engine-errors.js';
import type { Engine } from '../docker/engine.js';
import { freeVolume, removeVolume } from './data-moves.js';
import type { JournalTarget } from './journal.js';

export const VERIFY_LABEL = 'org.hindsight.verify';

/** Removes a container (and its anonymous volumes); gone already is fine. */
export async function removeContainer(engine: Engine, name: string): Promise<void> {
  try {
    await engine.docker.getContainer(name).remove({ force: true, v: true });
  } catch (e) {
    if (statusCodeOf(e) !== 404) throw e;
  }
}

/**
 * Removes one throwaway target of verify `opId`; says what was done. A container is removed only
 * when it carries this operation's verify label (a name alone is not proof enough). Never tied to a signal.
 */
export async function removeThrowaway(engine: Engine, t: JournalTarget, opId: string): Promise<string> {
  if (t.kind === 'volume') {
    const freed = await freeVolume(engine, t.target);
    await removeVolume(engine, t.target);
    return `removed the throwaway volume ${t.target}${freed}`;
  }
  let labels: Record<string, string> | undefined;
  try {
    labels = ((await engine.docker.getContainer(t.target).inspect()) as { Config?: { Labels?: Record<string, string> } }).Config?.Labels;
  } catch (e) {
    if (statusCodeOf(e) === 404) return `the throwaway container ${t.target} was already gone`;
    throw e;
  }
  if (labels?.[VERIFY_LABEL] !== opId) return `left ${t.target} alone: it is not a throwaway container of ${opId}`;
  await removeContainer(engine, t.target);
  return `removed the throwaway container ${t.target}`;
}
