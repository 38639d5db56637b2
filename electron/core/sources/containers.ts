/**
 * The few engine calls sources and sinks share: inspecting containers and volumes, listing the
 * containers that mount a volume, creating a volume.
 */
import type Docker from 'dockerode';
import { RpcError } from '../../../shared/contract/errors.js';
import { engineMessage, statusCodeOf } from '../docker/engine-errors.js';
import type { Engine } from '../docker/engine.js';
import { abortable, engineFailure } from './errors.js';

export const HELPER_LABEL = 'org.hindsight.helper';

export interface ContainerFacts {
  id: string;
  name: string;
  image: string;
  /** The engine's State.Status: created, running, paused, restarting, removing, exited, dead. */
  status: string;
  /** RFC 3339 with nanoseconds: orders containers created within one second. */
  created: string;
  env: Record<string, string>;
  labels: Record<string, string>;
}

export async function inspectContainer(engine: Engine, idOrName: string, signal?: AbortSignal): Promise<ContainerFacts> {
  const what = `Inspecting container ${idOrName} on ${engine.name}`;
  let info: Docker.ContainerInspectInfo;
  try {
    info = await abortable(engine.docker.getContainer(idOrName).inspect({ abortSignal: signal } as object), signal, what);
  } catch (e) {
    if (statusCodeOf(e) === 404) throw new RpcError('NOT_FOUND', `There is no container "${idOrName}" on ${engine.name}.`, engineMessage(e));
    throw engineFailure(e, what, signal, engine.localSocket);
  }
  const env: Record<string, string> = {};
  for (const kv of info.Config.Env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Image,
    status: info.State.Status,
    created: info.Created,
    env,
    labels: info.Config.Labels ?? {},
  };
}

/** Throws a clear error unless the container is running (exec needs a running container). */
export async function runningContainer(engine: Engine, idOrName: string, signal?: AbortSignal): Promise<ContainerFacts> {
  const c = await inspectContainer(engine, idOrName, signal);
  if (c.status !== 'running') {
    throw new RpcError('CONFLICT', `Container ${c.name} on ${engine.name} is ${c.status}; it must be running to run a command in it.`);
  }
  return c;
}

export interface VolumeFacts {
  name: string;
  driver: string;
  labels: Record<string, string>;
}

export async function inspectVolume(engine: Engine, name: string, signal?: AbortSignal): Promise<VolumeFacts | undefined> {
  try {
    const v = await abortable(engine.docker.getVolume(name).inspect({ abortSignal: signal } as object), signal, `Inspecting volume ${name}`);
    return { name: v.Name, driver: v.Driver, labels: v.Labels ?? {} };
  } catch (e) {
    if (statusCodeOf(e) === 404) return undefined;
    throw engineFailure(e, `Inspecting volume ${name} on ${engine.name}`, signal, engine.localSocket);
  }
}

export async function requireVolume(engine: Engine, name: string, signal?: AbortSignal): Promise<VolumeFacts> {
  const v = await inspectVolume(engine, name, signal);
  if (!v) throw new RpcError('NOT_FOUND', `There is no volume "${name}" on ${engine.name}.`);
  return v;
}

export async function createVolume(engine: Engine, name: string, labels: Record<string, string>, signal?: AbortSignal): Promise<void> {
  try {
    await abortable(engine.docker.createVolume({ Name: name, Labels: labels, abortSignal: signal } as Docker.VolumeCreateOptions), signal, `Creating volume ${name}`);
  } catch (e) {
    throw engineFailure(e, `Creating volume ${name} on ${engine.name}`, signal, engine.localSocket);
  }
}

export interface VolumeUser {
  id: string;
  name: string;
  image: string;
  /** State.Status when listed (running, paused, exited, created, …). */
  status: string;
}

/**
 * The containers that mount the volume, in any state, Hindsight's own helpers excepted. The
 * engine's `volume` filter also matches mount destinations, so the mounts are checked by name.
 */
export async function volumeUsers(engine: Engine, volume: string, signal?: AbortSignal): Promise<VolumeUser[]> {
  let list: Docker.ContainerInfo[];
  try {
    list = await abortable(engine.docker.listContainers({ all: true, filters: { volume: [volume] }, abortSignal: signal } as Docker.ContainerListOptions), signal, 'Listing containers');
  } catch (e) {
    throw engineFailure(e, `Listing the users of volume ${volume} on ${engine.name}`, signal, engine.localSocket);
  }
  return list
    .filter((c) => c.Labels?.[HELPER_LABEL] !== 'true')
    .filter((c) => c.Mounts.some((m) => m.Type === 'volume' && m.Name === volume))
    .map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), image: c.ImageID || c.Image, status: c.State }));
}
