/**
 * Volume source: the content of a Docker volume as a tar stream, read through the engine's archive
 * endpoint from a helper container that mounts the volume read-only and is never started
 * (ARCHITECTURE §5). Entry naming: see archive-names.ts ("./", "./a", …).
 *
 * The helper is removed whatever happens: when the stream ends, fails, is destroyed by its
 * consumer or aborted through the signal — `closed` settles once it is gone.
 *
 * On the agent (Engine.pipes) GNU tar in a helper made from the agent's image reads the volume
 * instead, through a named pipe (pipe-tar.ts): the same format, several times faster.
 *
 * Consistency is the caller's business: `users` lists the containers that mount the volume (a
 * running database writing while we read gives a torn copy); stop them first (volume-users.ts).
 */
import type { Readable } from 'node:stream';
import type { Engine } from '../docker/engine.js';
import { readArchive } from './archive.js';
import { readVolumeThroughPipe } from './pipe-tar.js';
import { requireVolume, volumeUsers, type VolumeUser } from './containers.js';
import { checkAborted } from './errors.js';
import { SOURCE_MOUNT, createHelper, pickHelperImage, removeHelper, type Helper } from './helper.js';

export interface OpenVolumeTarInput {
  engine: Engine;
  volume: string;
  signal?: AbortSignal;
  /** An image to make the helper from (default: see helper.ts). */
  image?: string;
  /**
   * Read a GNU listed-incremental level against this snapshot file (pipe-tar.ts): only on the
   * agent (Engine.pipes), where GNU tar reads the volume.
   */
  listedIncremental?: string;
}

export interface VolumeTarSource {
  /** The tar of the volume's content, entries relative to the volume root. */
  stream: Readable;
  volume: string;
  /** Containers that mount the volume (any state), when the read began. */
  users: VolumeUser[];
  helper: Helper;
  /** Settles (never rejects) once the helper container has been removed. */
  closed: Promise<void>;
  /** GNU tar (on the agent) said files changed while it read them. */
  changed?: Promise<boolean>;
}

export async function openVolumeTar(input: OpenVolumeTarInput): Promise<VolumeTarSource> {
  const { engine, volume, signal } = input;
  const what = `Reading volume ${volume} on ${engine.name}`;
  checkAborted(signal, what);
  // Mounting a missing volume would create it: make sure it exists first.
  await requireVolume(engine, volume, signal);
  const users = await volumeUsers(engine, volume, signal);
  if (engine.pipes) {
    const piped = await readVolumeThroughPipe({ ...engine, pipes: engine.pipes }, { volume, mount: SOURCE_MOUNT, listedIncremental: input.listedIncremental, signal, what });
    return { ...piped, volume, users };
  }
  if (input.listedIncremental) throw new Error(`${what}: incremental levels are read by GNU tar on the host's agent only`);
  const image = input.image ?? (await pickHelperImage(engine, volume, signal));
  const helper = await createHelper(engine, { purpose: 'volume-source', image, volume, target: SOURCE_MOUNT, readOnly: true, signal });
  let stream: Readable;
  try {
    stream = await readArchive(engine, { container: helper.id, dir: SOURCE_MOUNT, signal, what });
  } catch (e) {
    await removeHelper(engine, helper.id);
    throw e;
  }
  // 'close' comes after 'end', an error, or destroy(): every way a stream can stop.
  const closed = new Promise<void>((resolve) => stream.once('close', () => void removeHelper(engine, helper.id).then(() => resolve())));
  return { stream, volume, users, helper, closed };
}
