/**
 * Sparse files stay sparse. The engine's extractor (Go's archive/tar under the archive endpoint)
 * writes every byte of a file, so a 256 MiB sparse file backed up from production would land on
 * UAT as 256 MiB of zeros. The tar guard notes the files whose data holds long runs of zeros
 * (TarGuard `holes`); once they are extracted, this punches the holes back with util-linux's
 * `fallocate --dig-holes` (the content stays byte for byte the same), in a throw-away helper
 * container that mounts the volume — like `restic restore --sparse`.
 *
 * The helper needs an image with that fallocate: the one the sink used, else another image already
 * on the host (no pull). Where none has it, the files stay as written — correct, only not sparse —
 * and the caller says so.
 */
import type Docker from 'dockerode';
import type { Engine } from '../docker/engine.js';
import { createLogger } from '../log.js';
import { abortable } from './errors.js';
import { runInHelper, SINK_MOUNT } from './helper.js';

const log = createLogger('sources');

/** Files qualify from this many zero bytes (in 4 KiB windows), and at most this many are kept. */
export const HOLES = { minZeroBytes: 1024 * 1024, maxFiles: 10_000 };
const BATCH = 500;
/** Images tried at most, after the preferred one. */
const OTHER_IMAGES = 5;

/** Exits 127 when this image cannot do it, so the next one is tried. */
// Punching holes changes a file's mtime: it is put back from a reference taken just before.
const SCRIPT = `fallocate --help 2>&1 | grep -q -- --dig-holes || exit 127
touch --help 2>&1 | grep -q -- --reference || exit 127
cd ${SINK_MOUNT} || exit 1
for f in "$@"; do
  [ -f "$f" ] && [ ! -L "$f" ] || continue
  touch -r "$f" /tmp/hindsight-mtime && fallocate --dig-holes -- "$f" && touch -r /tmp/hindsight-mtime -- "$f"
done
exit 0`;

export type HolesResult = { dug: number } | { dug: 0; why: string };

export async function digHoles(engine: Engine, volume: string, paths: string[], preferImage: string, signal?: AbortSignal): Promise<HolesResult> {
  if (paths.length === 0) return { dug: 0 };
  try {
    return await dig(engine, volume, paths, preferImage, signal);
  } catch (e) {
    // The data is there and correct, only not sparse: that must not fail (and roll back) a restore.
    if (signal?.aborted) throw e;
    log.warn(`making files of volume ${volume} sparse failed`, e instanceof Error ? e.message : e);
    return { dug: 0, why: e instanceof Error ? e.message : String(e) };
  }
}

async function dig(engine: Engine, volume: string, paths: string[], preferImage: string, signal?: AbortSignal): Promise<HolesResult> {
  for (const image of await candidateImages(engine, preferImage, signal)) {
    let dug = 0;
    let usable = true;
    for (let i = 0; i < paths.length && usable; i += BATCH) {
      const batch = paths.slice(i, i + BATCH);
      try {
        await runInHelper(engine, { purpose: 'volume-sink', image, volume, target: SINK_MOUNT, readOnly: false, script: SCRIPT, args: ['hindsight-holes', ...batch], signal }, `Making ${batch.length} file(s) of volume ${volume} sparse again`);
        dug += batch.length;
      } catch (e) {
        if (/exit code 127/.test(e instanceof Error ? e.message : '')) usable = false;
        else {
          log.warn(`digging holes in volume ${volume} failed`, e instanceof Error ? e.message : e);
          return { dug: 0, why: e instanceof Error ? e.message : String(e) };
        }
      }
    }
    if (usable) return { dug };
  }
  return { dug: 0, why: `no image on ${engine.name} has util-linux's fallocate --dig-holes` };
}

async function candidateImages(engine: Engine, prefer: string, signal?: AbortSignal): Promise<string[]> {
  const images = await abortable(engine.docker.listImages({ abortSignal: signal } as Docker.ListImagesOptions), signal, 'Listing images').catch(() => [] as Docker.ImageInfo[]);
  const tagged = images.filter((i) => (i.RepoTags ?? []).some((t) => t !== '<none>:<none>')).map((i) => i.RepoTags!.find((t) => t !== '<none>:<none>')!);
  return [prefer, ...tagged.filter((t) => t !== prefer).slice(0, OTHER_IMAGES)];
}
