/**
 * Streaming a directory of a container out of and into the engine's archive endpoint
 * (GET/PUT /containers/{id}/archive). The container may be stopped or only created: the engine
 * mounts its filesystem (volumes included) for the call.
 *
 * Out: `<dir>/.` so the engine names entries relative to the directory; the stream goes through
 * the entry-name normaliser (archive-names.ts), whose output is the stored format.
 * In: the tar streams into the request body with backpressure (pipe). The engine extracts it as
 * root, keeping owners, modes, mtimes, symlinks and hard links; it never deletes anything, so an
 * extract merges over what is there (clearing is the callers' business).
 */
import { pipeline, type Readable } from 'node:stream';
import { dial } from '../docker/dial.js';
import { statusCodeOf } from '../docker/engine-errors.js';
import type { Engine } from '../docker/engine.js';
import { TarNameNormalizer } from './archive-names.js';
import { abortable, cancelled, engineFailure } from './errors.js';
import { RpcError } from '../../../shared/contract/errors.js';

/** "/a/b/" → "/a/b/." ; the engine then answers with "./"-relative entries. */
export function contentsPath(dir: string): string {
  const trimmed = dir.replace(/\/+$/, '');
  return `${trimmed === '' ? '' : trimmed}/.`;
}

export interface ArchiveOut {
  container: string;
  dir: string;
  signal?: AbortSignal;
  /** For messages, e.g. "Reading volume shop_files on production". */
  what: string;
}

/**
 * The directory's content as a normalised tar stream. Aborting the signal, or destroying the
 * returned stream, ends the HTTP request (and so its SSH channel).
 */
export async function readArchive(engine: Engine, opts: ArchiveOut): Promise<Readable> {
  const { signal, what } = opts;
  let response: Readable;
  try {
    const request = dial<Readable>(engine.docker, `/containers/${encodeURIComponent(opts.container)}/archive`, {
      query: { path: contentsPath(opts.dir) },
      stream: true,
      signal,
      statusCodes: { 200: true, 400: 'bad parameters', 404: 'no such container or path', 500: 'server error' },
    });
    // A response arriving after an abort must not keep its channel open.
    request.then((r) => signal?.aborted && r.destroy(), () => undefined);
    response = await abortable(request, signal, what);
  } catch (e) {
    if (statusCodeOf(e) === 404) throw new RpcError('NOT_FOUND', `${what}: there is no ${opts.dir} in container ${opts.container}.`);
    throw engineFailure(e, what, signal, engine.localSocket);
  }
  const out = new TarNameNormalizer({ what: `The archive of ${opts.dir}` });
  const onAbort = () => out.destroy(cancelled(what));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  // A broken connection would reach `out` as a bare socket error; say what broke. (Registered
  // before pipeline's own listener, so this error is the one `out` fails with.)
  response.once('error', (e) => {
    if (!out.destroyed) out.destroy(engineFailure(e, `${what}: the stream from the engine broke`, signal));
  });
  // pipeline destroys the response (closing its channel) when `out` fails or is destroyed.
  pipeline(response, out, () => signal?.removeEventListener('abort', onAbort));
  return out;
}

export interface ArchiveIn {
  container: string;
  dir: string;
  tar: Readable;
  signal?: AbortSignal;
  what: string;
}

/**
 * Extracts the tar stream into the directory. Resolves once the engine confirmed the extract. On
 * failure or abort the input stream is destroyed (like stream.pipeline would): a sink that gave up
 * must not leave its source producing.
 */
export async function writeArchive(engine: Engine, opts: ArchiveIn): Promise<void> {
  const { signal, what, tar } = opts;
  let inputError: unknown;
  const onInputError = (e: unknown) => {
    inputError ??= e;
  };
  tar.once('error', onInputError);
  try {
    if (signal?.aborted) throw cancelled(what);
    await abortable(engine.docker.getContainer(opts.container).putArchive(tar, { path: opts.dir, abortSignal: signal } as object), signal, what);
    // The engine answered 200 only after reading the whole body; an input error after that is moot.
  } catch (e) {
    if (signal?.aborted) throw cancelled(what);
    // The source's own failure (say, the tar guard refused an entry) is the real story.
    if (inputError) throw inputError;
    if (statusCodeOf(e) === 404) throw new RpcError('NOT_FOUND', `${what}: there is no ${opts.dir} in container ${opts.container}.`);
    throw engineFailure(e, what, signal, engine.localSocket);
  } finally {
    tar.removeListener('error', onInputError);
    if (!tar.readableEnded) tar.destroy();
  }
}
