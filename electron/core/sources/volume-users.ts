/**
 * Stopping the containers that use a volume, and bringing them back to their former state
 * (ARCHITECTURE §6 steps 3 and 7): running → started again, paused → started and paused again,
 * stopped (created, exited, dead) → left alone. Like a compose stack: stop newest first, start
 * oldest first. Restarting tries every container even when one fails, then reports all failures.
 *
 * `docker stop` marks a container as stopped by hand, so restart policies do not bring it back
 * while we work. A paused container is unpaused first: a frozen process cannot receive SIGTERM.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { Engine } from '../docker/engine.js';
import { createdNs } from '../docker/services.js';
import { createLogger } from '../log.js';
import { inspectContainer, volumeUsers } from './containers.js';
import { abortable, engineFailure } from './errors.js';

const log = createLogger('sources');

export type FormerState = 'running' | 'paused' | 'stopped';

export interface SavedUser {
  id: string;
  name: string;
  state: FormerState;
  /** The engine's status when we found it, for logs. */
  status: string;
}

export interface SavedUsers {
  volume: string;
  /** Oldest first: the order to start them in. */
  users: SavedUser[];
}

export function formerState(status: string): FormerState {
  if (status === 'running' || status === 'restarting') return 'running';
  if (status === 'paused') return 'paused';
  return 'stopped';
}

async function call(engine: Engine, id: string, action: 'stop' | 'start' | 'pause' | 'unpause', opts: { timeoutSeconds?: number; signal?: AbortSignal } = {}) {
  const c = engine.docker.getContainer(id);
  try {
    const request = action === 'stop' ? c.stop({ t: opts.timeoutSeconds ?? 10, abortSignal: opts.signal } as object) : c[action]({ abortSignal: opts.signal } as object);
    await abortable(request, opts.signal, action);
  } catch (e) {
    // 304: already in the wanted state.
    if ((e as { statusCode?: number }).statusCode === 304) return;
    throw engineFailure(e, `${action[0]!.toUpperCase()}${action.slice(1)} container ${id.slice(0, 12)} on ${engine.name}`, opts.signal, engine.localSocket);
  }
}

export interface StopUsersOptions {
  /** Seconds a container gets to stop before it is killed (default 10, like docker stop). */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

/**
 * Stops every container that mounts the volume and says how each one was. If stopping fails
 * halfway, those already stopped are restarted before the error is thrown.
 */
export async function stopUsers(engine: Engine, volume: string, opts: StopUsersOptions = {}): Promise<SavedUsers> {
  const listed = await volumeUsers(engine, volume, opts.signal);
  const users: Array<SavedUser & { created: bigint }> = [];
  for (const u of listed) {
    const facts = await inspectContainer(engine, u.id, opts.signal);
    users.push({ id: facts.id, name: facts.name, status: facts.status, state: formerState(facts.status), created: createdNs(facts.created) });
  }
  users.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
  const saved: SavedUsers = { volume, users: users.map(({ created: _created, ...u }) => u) };

  const touched: SavedUser[] = [];
  try {
    for (const u of [...saved.users].reverse()) {
      if (u.state === 'stopped') continue;
      touched.push(u);
      if (u.state === 'paused') await call(engine, u.id, 'unpause', opts);
      await call(engine, u.id, 'stop', opts);
    }
  } catch (e) {
    await restartUsers(engine, { volume, users: touched.reverse() }).catch((restartError: unknown) => log.warn('restarting the users failed too', restartError));
    throw e;
  }
  return saved;
}

export interface RestartOutcome {
  restored: string[];
  failures: Array<{ name: string; message: string }>;
}

/**
 * Puts every saved container back in its former state. Not tied to any signal: this runs after a
 * cancellation too. Throws (after trying all) if any could not be restored.
 */
export async function restartUsers(engine: Engine, saved: SavedUsers): Promise<RestartOutcome> {
  const outcome: RestartOutcome = { restored: [], failures: [] };
  for (const u of saved.users) {
    if (u.state === 'stopped') continue;
    try {
      await call(engine, u.id, 'start');
      if (u.state === 'paused') await call(engine, u.id, 'pause');
      outcome.restored.push(u.name);
    } catch (e) {
      outcome.failures.push({ name: u.name, message: e instanceof Error ? e.message : String(e) });
    }
  }
  if (outcome.failures.length) {
    const list = outcome.failures.map((f) => `${f.name} (${f.message})`).join('; ');
    throw new RpcError('DOCKER_ERROR', `Could not bring back ${outcome.failures.length} container(s) using volume ${saved.volume} on ${engine.name}: ${list}`);
  }
  return outcome;
}

/** Runs `fn` with the volume's users stopped, and restores them whatever happens. */
export async function withUsersStopped<T>(engine: Engine, volume: string, fn: (saved: SavedUsers) => Promise<T>, opts: StopUsersOptions = {}): Promise<T> {
  const saved = await stopUsers(engine, volume, opts);
  let result: T;
  try {
    result = await fn(saved);
  } catch (e) {
    // The first failure is the one to report; a failed restart is logged, not lost.
    await restartUsers(engine, saved).catch((restartError: unknown) => log.warn('restarting the users failed too', restartError));
    throw e;
  }
  await restartUsers(engine, saved);
  return result;
}
