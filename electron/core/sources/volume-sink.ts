/**
 * Volume sink: extracts a tar stream (entries relative to the volume root, see archive-names.ts)
 * into a Docker volume, through the engine's archive endpoint on a helper container that mounts
 * the volume read-write at /v. Every byte goes through the tar guard on its way (whoever calls:
 * a restore, a rollback, a test), which checks each entry and writes it in canonical form under
 * "v/" ("./x" → "v/x", tar-canonical.ts): the extractor reads exactly the names the guard checked.
 * The tar is PUT at "/" of the helper (the engine would refuse relative symlinks climbing out of the
 * volume if we extracted at /v itself; see archive-names.ts). The engine extracts as root and keeps owners, modes, mtimes
 * (directories included, the root's too), symlinks (absolute, dangling, climbing) and hard links.
 *
 * Clearing: the archive endpoint only adds and overwrites, it never deletes. So with `clear` the
 * same helper is first *started* with `find /v -mindepth 1 -maxdepth 1 -exec rm -rf {} +`
 * (POSIX find and rm: busybox, Debian, Alpine all have them; busybox's find lacks -delete) and,
 * once that exited 0, the tar is PUT into the now stopped helper. One container, removed whatever
 * happens. Without `clear` the helper is never started and any local image serves.
 *
 * Users of the volume should be stopped by the caller (volume-users.ts): the engine does not care,
 * but an application writing during a restore gets a mix of old and new files.
 */
import type { Readable } from 'node:stream';
import type { Engine, HelperPipes } from '../docker/engine.js';
import { RpcError } from '../../../shared/contract/errors.js';
import { digestListing, TarGuard, type EntryPolicy, type TarGuardOptions, type TarSummary } from '../pipeline/index.js';
import { digHoles, HOLES, type HolesResult } from './holes.js';
import { writeArchive } from './archive.js';
import { listVolumeThroughPipe, prepareVolumeWrite, type PreparedVolumeWrite } from './pipe-tar.js';
import { statusCodeOf } from '../docker/engine-errors.js';
import { createLogger } from '../log.js';
import { createVolume, inspectVolume } from './containers.js';
import { assertReadable, cancelled, watchInput } from './errors.js';
import { SINK_DIR, SINK_MOUNT, SOURCE_MOUNT, createHelper, pickHelperImage, removeHelper, runHelper, runInHelper } from './helper.js';

const log = createLogger('sources');

export const CLEAR_SCRIPT = `find ${SINK_MOUNT} -mindepth 1 -maxdepth 1 -exec rm -rf {} +`;

/** Labels put on a volume the sink had to create. */
export const CREATED_VOLUME_LABELS = { 'org.hindsight.created-by': 'hindsight' };

export interface WriteVolumeTarInput {
  engine: Engine;
  volume: string;
  tar: Readable;
  /** Empty the volume before extracting (a restore); false merges into what is there. */
  clear: boolean;
  /** Extra labels for the volume if it has to be created. */
  labels?: Record<string, string>;
  image?: string;
  signal?: AbortSignal;
  /**
   * One level of a GNU listed-incremental chain (ARCHITECTURE §9): its dumpdirs pass the guard and
   * GNU tar applies the renames and deletions they list; `policy` is the chain's, shared by its
   * levels. Only on the agent (Engine.pipes), where GNU tar extracts.
   */
  level?: { policy: EntryPolicy };
}

export interface VolumeSinkResult {
  volume: string;
  /** True when the volume did not exist and was created. */
  created: boolean;
  /** The image the helper was made from. */
  image: string;
  /** What the guard counted in the archive (entries, files, bytes…). */
  tar: TarSummary;
  /** Files made sparse again after extraction (holes.ts), or why not. */
  holes: HolesResult;
}

export async function writeVolumeTar(input: WriteVolumeTarInput): Promise<VolumeSinkResult> {
  const { engine, volume, tar, signal } = input;
  const what = `Writing volume ${volume} on ${engine.name}`;
  let helperId: string | undefined;
  const watch = watchInput(tar);
  try {
    if (signal?.aborted) throw cancelled(what);
    if (input.level && !engine.pipes) throw new RpcError('INVALID_INPUT', `${what}: a level of an incremental backup is extracted by GNU tar on the host's agent, which ${engine.name} does not run.`);
    // On the agent: GNU tar in a helper of the agent's image, through a named pipe (pipe-tar.ts).
    if (engine.pipes) return await (await prepareVolumeTar(input)).load(tar);
    const existing = await inspectVolume(engine, volume, signal);
    if (!existing) await createVolume(engine, volume, { ...CREATED_VOLUME_LABELS, ...input.labels }, signal);
    const clear = input.clear && !!existing;
    assertReadable(tar, what);
    const guard = guardedFor(tar, SINK_DIR, HOLES, input.level?.policy);
    // The input may fail while the helper is made or the volume cleared, before anything reads the
    // guard: the write below still sees the error (a destroyed stream's), so only the event is
    // swallowed here.
    guard.on('error', () => undefined);
    const image = input.image ?? (await pickHelperImage(engine, volume, signal));
    const helper = await createHelper(engine, {
      purpose: 'volume-sink',
      image,
      volume,
      target: SINK_MOUNT,
      readOnly: false,
      script: input.clear ? CLEAR_SCRIPT : undefined,
      signal,
    });
    helperId = helper.id;
    if (clear) await runHelper(engine, helper, `Clearing volume ${volume} (helper image ${image})`, signal);
    // An input that failed meanwhile: its error now (the engine's request would wait for a body).
    assertReadable(guard, what);
    await writeArchive(engine, { container: helper.id, dir: '/', tar: guard, signal, what });
    const holes = await digHoles(engine, volume, guard.summary.holeCandidates ?? [], image, signal);
    return { volume, created: !existing, image, tar: guard.summary, holes };
  } catch (e) {
    throw watch.explain(e);
  } finally {
    watch.dispose();
    // The input must not keep producing for a sink that gave up (writeArchive does it too once called).
    if (!tar.readableEnded) tar.destroy();
    if (helperId) await removeHelper(engine, helperId);
  }
}

/** A volume sink made ready (prepareVolumeTar): `load` writes as writeVolumeTar does; `abandon` leaves the volume as it was. */
export interface PreparedVolumeSink {
  load(tar: Readable): Promise<VolumeSinkResult>;
  abandon(): Promise<void>;
}

/**
 * writeVolumeTar's first half, on the agent: the volume created if missing, the helper started
 * and waiting at its gate (pipe-tar.ts prepareVolumeWrite) — nothing in the volume touched. The
 * agent makes a restore's sink ready while the console's pre-flight runs; `abandon` (the restore
 * called off) ends the helper and removes the volume again if it was made here. Elsewhere (the
 * engine's archive endpoint) nothing is made ahead.
 */
export async function prepareVolumeTar(input: Omit<WriteVolumeTarInput, 'tar'>): Promise<PreparedVolumeSink> {
  const { engine, volume, signal } = input;
  const what = `Writing volume ${volume} on ${engine.name}`;
  if (!engine.pipes) return { load: (tar) => writeVolumeTar({ ...input, tar }), abandon: async () => undefined };
  const pipes = engine.pipes;
  if (signal?.aborted) throw cancelled(what);
  const existing = await inspectVolume(engine, volume, signal);
  if (!existing) await createVolume(engine, volume, { ...CREATED_VOLUME_LABELS, ...input.labels }, signal);
  const removeCreated = async () => {
    if (!existing) await removeVolumeOnceFree(engine, volume);
  };
  let writer: PreparedVolumeWrite;
  try {
    writer = await prepareVolumeWrite({ ...engine, pipes }, { volume, mount: SINK_MOUNT, before: input.clear && existing ? CLEAR_SCRIPT : undefined, incremental: !!input.level, signal, what });
  } catch (e) {
    await removeCreated();
    throw e;
  }
  let loading = false;
  return {
    // Once loading, the load's own end decides (a failed restore's volume is the rollback's to remove).
    abandon: async () => {
      if (loading) return;
      loading = true;
      await writer.abandon();
      await removeCreated();
    },
    load: async (tar) => {
      if (loading) throw new Error(`${what}: the prepared sink was used already`);
      loading = true;
      const watch = watchInput(tar);
      try {
        assertReadable(tar, what);
        const guard = guardedFor(tar, SINK_DIR, HOLES, input.level?.policy);
        await writer.write(guard);
        const holes = await digHoles(engine, volume, guard.summary.holeCandidates ?? [], pipes.image, signal);
        return { volume, created: !existing, image: pipes.image, tar: guard.summary, holes };
      } catch (e) {
        await writer.abandon(); // a write never begun (the input failed first) leaves nothing running
        throw watch.explain(e);
      } finally {
        watch.dispose();
        if (!tar.readableEnded) tar.destroy();
      }
    },
  };
}

/** Removes a volume this process created, once the helper that mounted it has gone (it removes itself). */
async function removeVolumeOnceFree(engine: Engine, volume: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await engine.docker.getVolume(volume).remove();
      return;
    } catch (e) {
      if (statusCodeOf(e) === 404) return;
      if (statusCodeOf(e) !== 409) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  log.warn(`could not remove volume ${volume} on ${engine.name}, made for a restore that was called off`);
}

/** A volume's tree, listed by `find` in a helper on the agent: its entries and their digest (pipeline/tree-digest.ts). */
export async function volumeTree(engine: Engine & { pipes: HelperPipes }, volume: string, signal?: AbortSignal): Promise<{ entries: number; digest: string }> {
  const what = `Listing volume ${volume} on ${engine.name}`;
  const listing = await listVolumeThroughPipe(engine, { volume, mount: SOURCE_MOUNT, signal, what });
  try {
    return await digestListing(listing.stream);
  } finally {
    await listing.closed;
  }
}

/** Paths per helper when removing links: well under the kernel's limit on a command line. */
const LINKS_PER_HELPER = 1000;

/**
 * Removes the symbolic links at `paths` (relative to the volume's root, none of them under another
 * link: checked by the entry policy, so no name here is resolved through a link) before a level of
 * a chain replaces them (pipeline/tar-chain.ts). A path where no link is any more is left as it
 * is; one still a link afterwards fails the restore. Names pass as arguments, never as shell text.
 */
export async function removeVolumeLinks(engine: Engine, volume: string, paths: string[], signal?: AbortSignal): Promise<void> {
  const script = `cd ${SINK_MOUNT} || exit 1; for p do if [ -L "$p" ]; then rm -f -- "$p" || exit 1; fi; if [ -L "$p" ]; then echo "$p is still a symbolic link" >&2; exit 1; fi; done`;
  const image = engine.pipes?.image ?? (await pickHelperImage(engine, volume, signal));
  for (let i = 0; i < paths.length; i += LINKS_PER_HELPER) {
    const batch = paths.slice(i, i + LINKS_PER_HELPER);
    await runInHelper(engine, { purpose: 'volume-sink', image, volume, target: SINK_MOUNT, readOnly: false, script, args: ['hindsight-unlink', ...batch], ...(signal ? { signal } : {}) }, `Removing ${batch.length} symbolic link(s) that a later level replaces from volume ${volume}`);
  }
}

/**
 * The tar guard in front of an extractor: refuses what could land outside `prefix` and rewrites the
 * rest in canonical form under it. An input failure reaches the guard (and so the extractor's
 * request) as the same error.
 */
export function guardedFor(tar: Readable, prefix: string, holes?: TarGuardOptions['holes'], chain?: EntryPolicy): TarGuard {
  const guard = new TarGuard({ policy: 'reject', rewrite: { prefix }, ...(holes ? { holes } : {}), ...(chain ? { dumpdirs: true, entries: chain } : {}) });
  tar.once('error', (e) => guard.destroy(e));
  return tar.pipe(guard);
}
