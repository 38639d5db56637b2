/**
 * Safety copies kept on the host (issue 9: a restore through the agent keeps its safety copy "on the
 * host"). When the target host runs the agent, the safety copy of a volume is a new volume on that
 * host, `hindsight-safety-<operation>-<n>`, filled by GNU tar from the agent's image in one helper
 * that mounts both (the target read-only): the data never crosses the SSH tunnel, the copy takes
 * the host's disk speed, and a 750 GiB volume does not need 750 GiB on the person's laptop.
 * Without an agent (no image with GNU tar known to be there), the console keeps the copy as a file
 * (data-moves.ts), as before.
 *
 * The journal records the copy as `volume:<name>` with the image that made it, so a rollback — in
 * this process or after a crash, agent or not — puts it back with the same tar. The copy volumes
 * carry a label with their operation: a restore that succeeds removes them at once, a failed one
 * keeps them for the same retention as copies on the console (safety-sweep.ts), and discovery
 * never offers them as something to back up.
 *
 * Both directions are one tar pipeline in bash with pipefail, so a reader that fails half-way
 * fails the copy instead of leaving a short one that passes: owners as numbers, modes, times,
 * extended attributes, hard links and holes (posix format, --sparse) are kept.
 */
import type Docker from 'dockerode';
import { RpcError } from '../../../shared/contract/errors.js';
import type { Engine } from '../docker/engine.js';
import { statusCodeOf } from '../docker/engine-errors.js';
import { createHelper, demuxedText, removeHelper, runHelper, type Helper } from '../sources/helper.js';
import { HELPER_LABEL } from '../sources/containers.js';

export const SAFETY_COPY_LABEL = 'org.hindsight.safety-copy';
const HOST_COPY = 'volume:';

/** The volume a journal's safety copy names, when it is kept on the host. */
export function hostCopyVolume(safetyCopy: string | undefined): string | undefined {
  return safetyCopy?.startsWith(HOST_COPY) ? safetyCopy.slice(HOST_COPY.length) : undefined;
}

/** A volume name Docker accepts ([a-zA-Z0-9][a-zA-Z0-9_.-]*), unique per operation and target. */
export function safetyVolumeName(opId: string, index: number): string {
  return `hindsight-safety-${opId.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 200)}-${index + 1}`;
}

const FROM = '/hindsight-from';
const TO = '/hindsight-to';
/** One tar into another, the reader's failure included (pipefail); then the copy's size in KiB. */
const COPY_SCRIPT =
  `exec bash -o pipefail -c 'tar -C ${FROM} -c -f - --format=posix --numeric-owner --xattrs "--xattrs-include=*" --sparse . ` +
  `| tar -C ${TO} -x -f - --numeric-owner --same-owner --same-permissions --xattrs "--xattrs-include=*" --delay-directory-restore && du -sk ${TO}'`;
const CLEAR_TO = `find ${TO} -mindepth 1 -maxdepth 1 -exec rm -rf {} +`;

/** The KiB figure `du -sk` printed last in a helper's output. */
async function reportedKiB(engine: Engine, helper: Helper): Promise<number | undefined> {
  const logs = (await engine.docker.getContainer(helper.id).logs({ stdout: true, stderr: false, tail: 5 })) as unknown as Buffer;
  const text = demuxedText(Buffer.isBuffer(logs) ? logs : Buffer.from(String(logs)));
  const match = /(\d+)\s+\/hindsight-to\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

async function copyBetween(
  engine: Engine,
  opts: { image: string; from: string; to: string; purpose: 'volume-source' | 'volume-sink'; clear: boolean; what: string; signal?: AbortSignal | undefined },
): Promise<number | undefined> {
  // Labelled with the volume being read (a safety copy) or written (a put back): what a rollback's
  // freeVolume looks for.
  const labelled = opts.purpose === 'volume-source' ? { volume: opts.from, target: FROM, readOnly: true } : { volume: opts.to, target: TO, readOnly: false };
  const other = opts.purpose === 'volume-source' ? { volume: opts.to, target: TO, readOnly: false } : { volume: opts.from, target: FROM, readOnly: true };
  const helper = await createHelper(engine, {
    purpose: opts.purpose,
    image: opts.image,
    ...labelled,
    second: other,
    script: `${opts.clear ? `${CLEAR_TO} && ` : ''}${COPY_SCRIPT}`,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  try {
    await runHelper(engine, helper, opts.what, opts.signal);
    return await reportedKiB(engine, helper).catch(() => undefined);
  } finally {
    await removeHelper(engine, helper.id);
  }
}

/**
 * Copies `volume` into a new labelled volume on the same host; returns the journal's reference and
 * the copy's size. A copy that fails is removed: only a whole copy is ever recorded.
 */
export async function makeHostSafetyCopy(
  engine: Engine,
  opts: { image: string; volume: string; opId: string; index: number; signal?: AbortSignal | undefined },
): Promise<{ ref: string; volume: string; bytes: number | undefined }> {
  const name = safetyVolumeName(opts.opId, opts.index);
  await engine.docker.createVolume({ Name: name, Labels: { [SAFETY_COPY_LABEL]: opts.opId, [`${SAFETY_COPY_LABEL}.of`]: opts.volume } });
  try {
    const kib = await copyBetween(engine, { image: opts.image, from: opts.volume, to: name, purpose: 'volume-source', clear: false, what: `Safety copy of ${opts.volume} into ${name}`, signal: opts.signal });
    return { ref: `${HOST_COPY}${name}`, volume: name, bytes: kib === undefined ? undefined : kib * 1024 };
  } catch (e) {
    await removeCopyVolume(engine, name).catch(() => undefined);
    throw e;
  }
}

/** Puts a host copy back: the target emptied, then the copy's content into it. Never tied to a signal. */
export async function putBackHostCopy(engine: Engine, opts: { image: string; copy: string; target: string }): Promise<void> {
  const exists = await engine.docker
    .getVolume(opts.copy)
    .inspect()
    .then(() => true)
    .catch((e: unknown) => (statusCodeOf(e) === 404 ? false : Promise.reject(e)));
  if (!exists) throw new RpcError('NOT_FOUND', `The safety copy ${opts.copy} of ${opts.target} is gone from ${engine.name}: it cannot be put back.`);
  await copyBetween(engine, { image: opts.image, from: opts.copy, to: opts.target, purpose: 'volume-sink', clear: true, what: `Putting ${opts.target} back from ${opts.copy}` });
}

/** Removes one copy volume, after any of our helpers left holding it. */
async function removeCopyVolume(engine: Engine, name: string): Promise<void> {
  const holders = (await engine.docker.listContainers({ all: true, filters: { volume: [name], label: [`${HELPER_LABEL}=true`] } } as Docker.ContainerListOptions)) as Docker.ContainerInfo[];
  for (const h of holders) await removeHelper(engine, h.Id);
  try {
    await engine.docker.getVolume(name).remove();
  } catch (e) {
    if (statusCodeOf(e) !== 404) throw e;
  }
}

/** Removes the host copies of one operation (found by their label); the names removed. */
export async function removeHostCopies(engine: Engine, opId: string): Promise<string[]> {
  const listed = (await engine.docker.listVolumes({ filters: { label: [`${SAFETY_COPY_LABEL}=${opId}`] } } as object)) as { Volumes?: { Name: string }[] | null };
  const names = (listed.Volumes ?? []).map((v) => v.Name);
  for (const name of names) await removeCopyVolume(engine, name);
  return names;
}
