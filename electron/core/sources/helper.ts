/**
 * Helper containers: short-lived containers that mount a volume so the engine's archive endpoint
 * can read or write it. Nothing is pulled from a registry (none may be reachable): the helper is
 * made from an image already on the host. A container that is only created, never started, runs
 * nothing, so any local image will do for reading and writing archives; only clearing a volume
 * starts one (it needs `sh`, `find` and `rm`). Preference: a busybox image if the host has one,
 * then the image of a container that uses the volume, then the smallest local image.
 *
 * Every helper carries the label org.hindsight.helper=true (plus its purpose and volume), so one
 * left behind by a crash can be found and swept (`sweepHelpers`), and is removed with its
 * anonymous volumes (an image that declares VOLUMEs gets fresh anonymous ones on create; named
 * volumes are never removed by that).
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { RpcError } from '../../../shared/contract/errors.js';
import { statusCodeOf } from '../docker/engine-errors.js';
import type { Engine, HelperPipes } from '../docker/engine.js';
import { createLogger } from '../log.js';
import { HELPER_LABEL, volumeUsers } from './containers.js';
import { abortable, engineFailure, withinGrace } from './errors.js';

const log = createLogger('sources');

/** Marks the helpers that use the pipe folder (pipe-tar.ts), which the agent sweeps when it starts. */
export const PIPE_HELPER_LABEL = `${HELPER_LABEL}.pipe`;

/** Where a source helper mounts its volume (read-only). */
export const SOURCE_MOUNT = '/hindsight/src';
/**
 * Where a sink helper mounts its volume (read-write). A top-level, one-letter directory because the
 * sink extracts at "/" with entries renamed "./x" → "v/x" (same length: headers rewritten in
 * place); why at "/" is told in archive-names.ts.
 */
export const SINK_DIR = 'v';
export const SINK_MOUNT = `/${SINK_DIR}`;

const BUSYBOX = /(^|\/)busybox(:|$)/;

/** An image present on the host to make a helper from (see the module comment for the order). */
export async function pickHelperImage(engine: Engine, volume: string | undefined, signal?: AbortSignal): Promise<string> {
  let images: Docker.ImageInfo[];
  try {
    images = await abortable(engine.docker.listImages({ abortSignal: signal } as Docker.ListImagesOptions), signal, 'Listing images');
  } catch (e) {
    throw engineFailure(e, `Listing the images on ${engine.name}`, signal, engine.localSocket);
  }
  const tags = images.flatMap((i) => (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'));
  const busybox = tags.filter((t) => BUSYBOX.test(t)).sort((a, b) => Number(b.endsWith(':latest')) - Number(a.endsWith(':latest')));
  if (busybox[0]) return busybox[0];
  if (volume) {
    const users = await volumeUsers(engine, volume, signal);
    const present = new Set(images.map((i) => i.Id));
    const used = users.find((u) => present.has(u.image));
    if (used) return used.image;
  }
  const smallest = [...images].sort((a, b) => a.Size - b.Size)[0];
  if (!smallest) throw new RpcError('CONFLICT', `${engine.name} has no image at all to make a helper container from.`);
  return smallest.Id;
}

export interface HelperSpec {
  purpose: 'volume-source' | 'volume-sink';
  image: string;
  volume: string;
  target: string;
  readOnly: boolean;
  /** A shell script, for a helper that will be started; unstarted helpers get a no-op. */
  script?: string;
  /** Arguments of the script: $0, $1… (names pass as data, never as shell text). */
  args?: string[];
  /** Mount the folder of named pipes too (pipe-tar.ts); the helper's own filesystem is then read-only. */
  pipes?: HelperPipes;
  /** A second volume (a safety copy kept on the host, restore/host-safety.ts); the helper is labelled with `volume` only. */
  second?: { volume: string; target: string; readOnly: boolean };
  /** The engine removes the helper once it exited (pipe helpers, pipe-helper-run.ts): no one waits for that. */
  autoRemove?: boolean;
  signal?: AbortSignal;
}

export interface Helper {
  id: string;
  name: string;
  image: string;
}

/**
 * Helpers a killed process left behind (nothing else removes them: a rollback removes only those on
 * its own volumes) are swept once per engine per process, when it first makes a helper there: those
 * older than a day. A helper lives as long as one copy; a day is far beyond any copy this tool makes
 * over SSH, so a sweep never pulls one from under a running operation of another process.
 */
export const staleHelperPolicy = { olderThanMs: 24 * 60 * 60_000 };
const sweptEngines = new WeakSet<Engine>();

function sweepStaleHelpersOnce(engine: Engine): void {
  if (sweptEngines.has(engine)) return;
  sweptEngines.add(engine);
  sweepHelpers(engine, { olderThanMs: staleHelperPolicy.olderThanMs }).then(
    (removed) => {
      if (removed.length) log.info(`removed ${removed.length} helper container(s) left behind on ${engine.name} (older than ${Math.round(staleHelperPolicy.olderThanMs / 3_600_000)} h)`);
    },
    (e: unknown) => log.warn(`could not sweep old helper containers on ${engine.name}`, e),
  );
}

export async function createHelper(engine: Engine, spec: HelperSpec): Promise<Helper> {
  sweepStaleHelpersOnce(engine);
  const name = `hindsight-helper-${spec.purpose}-${randomBytes(4).toString('hex')}`;
  const body = {
    name,
    Image: spec.image,
    Entrypoint: ['sh', '-c'],
    Cmd: [spec.script ?? 'exit 0', ...(spec.args ?? [])],
    User: '0:0', // owners and modes of whatever is in the volume must not stand in the way
    WorkingDir: '/',
    NetworkDisabled: true,
    Labels: {
      [HELPER_LABEL]: 'true',
      [`${HELPER_LABEL}.purpose`]: spec.purpose,
      [`${HELPER_LABEL}.volume`]: spec.volume,
      ...(spec.pipes ? { [PIPE_HELPER_LABEL]: 'true' } : {}),
    },
    HostConfig: {
      NetworkMode: 'none',
      // NoCopy: never seed an empty volume with whatever the image holds at the mount point.
      Mounts: [
        { Type: 'volume', Source: spec.volume, Target: spec.target, ReadOnly: spec.readOnly, VolumeOptions: { NoCopy: true } },
        // A helper that writes into a volume gets the pipe folder read-only (its FIFO opens all the
        // same): whatever an archive tries, the volume is the one place it can change. A reader
        // writes GNU tar's snapshot file of an incremental level there.
        ...(spec.pipes ? [{ Type: 'volume', Source: spec.pipes.volume, Target: spec.pipes.dir, ReadOnly: !spec.readOnly, VolumeOptions: { NoCopy: true } }] : []),
        ...(spec.second ? [{ Type: 'volume', Source: spec.second.volume, Target: spec.second.target, ReadOnly: spec.second.readOnly, VolumeOptions: { NoCopy: true } }] : []),
      ],
      ...(spec.pipes ? { ReadonlyRootfs: true } : {}),
      ...(spec.autoRemove ? { AutoRemove: true } : {}),
    },
  };
  // Not given the signal: the engine finishes a create even when the client hangs up, so an aborted
  // request would leave a container we never hear of. We wait for the answer instead (bounded,
  // see `abortable`) and remove what it made.
  const request = engine.docker.createContainer(body as unknown as Docker.ContainerCreateOptions);
  try {
    const c = await abortable(request, spec.signal, 'Creating a helper container');
    return { id: c.id, name, image: spec.image };
  } catch (e) {
    if (spec.signal?.aborted || statusCodeOf(e) === undefined) {
      // Cancelled, or the connection broke: the container may exist. A sweep finds any that escape.
      const made = await withinGrace(
        request.then(
          (c) => c.id,
          () => name,
        ),
        10_000,
        () => name,
      );
      await removeHelper(engine, made);
    }
    throw engineFailure(e, `Creating a helper container for volume ${spec.volume} on ${engine.name} (image ${spec.image})`, spec.signal, engine.localSocket);
  }
}

/**
 * Removes a helper, whatever state it is in. Never throws: it runs in `finally` blocks and after
 * aborts, where the original outcome matters more; a failure is logged (and the label lets a
 * later sweep find the container). Deliberately not tied to the caller's signal.
 */
export async function removeHelper(engine: Engine, idOrName: string): Promise<boolean> {
  const id = idOrName;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await engine.docker.getContainer(id).remove({ force: true, v: true });
      return true;
    } catch (e) {
      if (statusCodeOf(e) === 404) return true;
      // 409 "removal already in progress" settles by itself; anything else may be a dropped tunnel.
      await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      if (attempt === 2) log.warn(`could not remove helper container ${id} on ${engine.name}`, e);
    }
  }
  return false;
}

/**
 * Removes helpers left behind (a crash, a dropped tunnel) that were created before `olderThan`;
 * `volume` limits it to the helpers of one volume.
 */
export async function sweepHelpers(engine: Engine, opts: { olderThanMs?: number; volume?: string; signal?: AbortSignal } = {}): Promise<string[]> {
  let list: Docker.ContainerInfo[];
  const labels = [`${HELPER_LABEL}=true`, ...(opts.volume ? [`${HELPER_LABEL}.volume=${opts.volume}`] : [])];
  try {
    list = await abortable(
      engine.docker.listContainers({ all: true, filters: { label: labels }, abortSignal: opts.signal } as Docker.ContainerListOptions),
      opts.signal,
      'Listing helpers',
    );
  } catch (e) {
    throw engineFailure(e, `Listing helper containers on ${engine.name}`, opts.signal, engine.localSocket);
  }
  const before = Date.now() / 1000 - (opts.olderThanMs ?? 60 * 60_000) / 1000;
  // The engine's filter is trusted, and checked again: never a container without the helper label.
  const stale = list.filter((c) => c.Labels?.[HELPER_LABEL] === 'true' && (!opts.volume || c.Labels?.[`${HELPER_LABEL}.volume`] === opts.volume) && c.Created < before);
  const removed: string[] = [];
  for (const c of stale) if (await removeHelper(engine, c.Id)) removed.push(c.Id);
  return removed;
}

/**
 * Removes every Hindsight helper that mounts `volume` (by label: org.hindsight.helper=true and
 * org.hindsight.helper.volume=<volume>; no other container is touched), whatever its age — a
 * rollback runs it before it removes or rewrites a volume that a killed process was writing, whose
 * helper would otherwise hold it ("volume is in use"). Returns the names removed; throws when they
 * cannot be listed, or one of them could not be removed. Not tied to a signal (a rollback).
 * `purpose` limits it to helpers of that purpose (a sink: one that writes).
 */
export async function removeHelpersOf(engine: Engine, volume: string, purpose?: HelperSpec['purpose']): Promise<string[]> {
  let list: Docker.ContainerInfo[];
  const labels = [`${HELPER_LABEL}=true`, `${HELPER_LABEL}.volume=${volume}`, ...(purpose ? [`${HELPER_LABEL}.purpose=${purpose}`] : [])];
  try {
    list = await engine.docker.listContainers({ all: true, filters: { label: labels } });
  } catch (e) {
    throw engineFailure(e, `Listing the helper containers of volume ${volume} on ${engine.name}`, undefined, engine.localSocket);
  }
  const removed: string[] = [];
  // The engine's filter is trusted, and checked again: never anything without both labels.
  const ours = (x: Docker.ContainerInfo) =>
    x.Labels?.[HELPER_LABEL] === 'true' && x.Labels?.[`${HELPER_LABEL}.volume`] === volume && (!purpose || x.Labels?.[`${HELPER_LABEL}.purpose`] === purpose);
  for (const c of list.filter(ours)) {
    const name = (c.Names?.[0] ?? c.Id).replace(/^\//, '');
    if (!(await removeHelper(engine, c.Id))) throw new RpcError('DOCKER_ERROR', `Could not remove the helper container ${name} that holds volume ${volume} on ${engine.name}.`);
    removed.push(name);
  }
  return removed;
}

/** Starts a helper and waits for its script to finish; a non-zero exit is an error with its output. */
export async function runHelper(engine: Engine, helper: Helper, what: string, signal?: AbortSignal): Promise<void> {
  const container = engine.docker.getContainer(helper.id);
  let status: number;
  try {
    await abortable(container.start({ abortSignal: signal } as object), signal, what);
    const result = (await abortable(container.wait({ abortSignal: signal } as object), signal, what)) as { StatusCode: number };
    status = result.StatusCode;
  } catch (e) {
    throw engineFailure(e, `${what} on ${engine.name}`, signal, engine.localSocket);
  }
  if (status === 0) return;
  throw await helperFailure(engine, helper, what, status);
}

/** Creates a helper for `spec`, runs its script to the end (runHelper) and removes it, whatever happened. */
export async function runInHelper(engine: Engine, spec: HelperSpec, what: string): Promise<void> {
  const helper = await createHelper(engine, spec);
  try {
    await runHelper(engine, helper, what, spec.signal);
  } finally {
    await removeHelper(engine, helper.id);
  }
}

/**
 * The error for a helper that exited `status`: its last lines of output say why — `captured` when
 * the caller already has them (pipe-helper-run.ts), else read from the container's logs.
 */
export async function helperFailure(engine: Engine, helper: Helper, what: string, status: number, captured?: string): Promise<RpcError> {
  let output = captured ?? '';
  if (captured === undefined) {
    try {
      const logs = (await engine.docker.getContainer(helper.id).logs({ stdout: true, stderr: true, tail: 20 })) as unknown as Buffer;
      output = demuxedText(logs);
    } catch {
      // the exit code alone will have to do
    }
  }
  return new RpcError('DOCKER_ERROR', `${what} on ${engine.name} failed with exit code ${status}${output ? `: ${output}` : '.'}`);
}

/** Text of a small multiplexed log buffer (8-byte frame headers), for an error message. */
export function demuxedText(buf: Buffer): string {
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8').trim().slice(-2000);
}
