/**
 * Starting, stopping and restarting containers, alone or as a compose project.
 * An engine refusal (e.g. starting a container whose image is gone) is an outcome with ok:false and
 * the engine's own words; a container that does not exist is a DOCKER_ERROR; "already started" /
 * "already stopped" (HTTP 304) counts as success.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { ActionOutcome, ContainerAction } from '../../../shared/contract/inventory.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { dial } from './dial.js';
import { engineMessage, statusCodeOf, toEngineError } from './engine-errors.js';
import type { Engine } from './engine.js';
import { PROJECT_LABEL, containerName, containerState, type RawContainer } from './inventory-map.js';

interface Inspected {
  Id: string;
  Name: string;
  State: { Status: string };
}

async function inspect(engine: Engine, containerId: string): Promise<Inspected> {
  try {
    return await dial<Inspected>(engine.docker, `/containers/${encodeURIComponent(containerId)}/json`, {
      statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
    });
  } catch (e) {
    if (statusCodeOf(e) === 404) {
      throw new RpcError('DOCKER_ERROR', `There is no container "${containerId}" on ${engine.name}.`, engineMessage(e));
    }
    throw toEngineError(e, `Inspecting container ${containerId} on ${engine.name}`, engine.localSocket);
  }
}

/** Runs one engine action; resolves with the engine's refusal message, or undefined on success. */
async function act(engine: Engine, id: string, action: 'start' | 'stop' | 'restart'): Promise<string | undefined> {
  try {
    await dial(engine.docker, `/containers/${encodeURIComponent(id)}/${action}`, {
      method: 'POST',
      statusCodes: { 204: true, 304: true, 404: 'no such container', 409: 'conflict', 500: 'server error' },
    });
    return undefined;
  } catch (e) {
    if (statusCodeOf(e) === undefined) throw toEngineError(e, `${action} on ${engine.name}`, engine.localSocket);
    return engineMessage(e);
  }
}

export async function containerAction(engine: Engine, hostId: string, containerId: string, action: ContainerAction): Promise<ActionOutcome> {
  const before = await inspect(engine, containerId);
  const error = await act(engine, before.Id, action);
  const after = await inspect(engine, before.Id).catch(() => undefined);
  return {
    hostId,
    containerId: before.Id,
    name: before.Name.replace(/^\//, ''),
    action,
    ok: error === undefined,
    state: after ? containerState(after.State.Status) : null,
    ...(error !== undefined ? { error } : {}),
  };
}

/**
 * Nanoseconds since the epoch from the engine's RFC 3339 time ("…T22:52:21.123456789Z"). The list
 * endpoint's `Created` has whole seconds only, and a stack's containers are often created within
 * the same second, so ordering needs inspect's precise time.
 */
export function createdNs(iso: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) return BigInt(Date.parse(iso) || 0) * 1_000_000n;
  const seconds = BigInt(Date.parse(`${m[1]}${m[3]}`)) / 1000n;
  return seconds * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9));
}

/** The containers of a compose project, in creation order (oldest first). */
export async function projectContainers(engine: Engine, project: string): Promise<RawContainer[]> {
  const what = `Listing the containers of ${project} on ${engine.name}`;
  try {
    const list = await dial<RawContainer[]>(engine.docker, '/containers/json', {
      query: { all: true, filters: { label: [`${PROJECT_LABEL}=${project}`] } },
    });
    const created = new Map<string, bigint>();
    await Promise.all(
      list.map(async (c) => {
        const info = await dial<{ Created: string }>(engine.docker, `/containers/${c.Id}/json`).catch(() => undefined);
        created.set(c.Id, info ? createdNs(info.Created) : BigInt(c.Created) * 1_000_000_000n);
      }),
    );
    const order = (a: RawContainer, b: RawContainer) => {
      const d = created.get(a.Id)! - created.get(b.Id)!;
      return d < 0n ? -1 : d > 0n ? 1 : containerName(a).localeCompare(containerName(b));
    };
    return list.sort(order);
  } catch (e) {
    throw toEngineError(e, what, engine.localSocket);
  }
}

const VERB: Record<ContainerAction, string> = { start: 'Starting', stop: 'Stopping', restart: 'Restarting' };

/**
 * Acts on every container of a compose project, in an order that respects dependencies the way
 * compose created them: stop newest-first, start oldest-first; restart = stop all, then start all.
 * Cancellation is honoured between containers (an engine call already sent is let finish).
 */
export async function stackAction(
  engine: Engine,
  hostId: string,
  project: string,
  action: ContainerAction,
  ctx: TaskContext,
): Promise<{ outcomes: ActionOutcome[] }> {
  const containers = await projectContainers(engine, project);
  if (!containers.length) throw new RpcError('NOT_FOUND', `There are no containers of compose project "${project}" on ${engine.name}.`);

  const steps: Array<{ c: RawContainer; op: 'start' | 'stop' }> =
    action === 'start'
      ? containers.map((c) => ({ c, op: 'start' }))
      : action === 'stop'
        ? [...containers].reverse().map((c) => ({ c, op: 'stop' }))
        : [...[...containers].reverse().map((c) => ({ c, op: 'stop' as const })), ...containers.map((c) => ({ c, op: 'start' as const }))];

  const errors = new Map<string, string>();
  let done = 0;
  for (const { c, op } of steps) {
    if (ctx.signal.aborted) throw new RpcError('CANCELLED', `${VERB[action]} ${project} was cancelled after ${done} of ${steps.length} steps.`);
    const name = containerName(c);
    ctx.report({ type: 'progress', fraction: done / steps.length, message: `${op === 'start' ? 'Starting' : 'Stopping'} ${name}` });
    const error = await act(engine, c.Id, op);
    if (error !== undefined) {
      errors.set(c.Id, error);
      ctx.report({ type: 'log', level: 'error', message: `${name}: ${error}`, ts: new Date().toISOString() });
    } else {
      ctx.report({ type: 'log', level: 'info', message: `${name}: ${op === 'start' ? 'started' : 'stopped'}`, ts: new Date().toISOString() });
    }
    done++;
  }
  ctx.report({ type: 'progress', fraction: 1, message: `${VERB[action]} ${project}: done` });

  const outcomes: ActionOutcome[] = [];
  for (const c of containers) {
    const after = await inspect(engine, c.Id).catch(() => undefined);
    const error = errors.get(c.Id);
    outcomes.push({
      hostId,
      containerId: c.Id,
      name: containerName(c),
      action,
      ok: error === undefined,
      state: after ? containerState(after.State.Status) : null,
      ...(error !== undefined ? { error } : {}),
    });
  }
  return { outcomes };
}
