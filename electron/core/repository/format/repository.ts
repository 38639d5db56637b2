/**
 * Creating and opening a repository: the format marker `hindsight-repo.json` at its root says
 * "this is a Hindsight repository, format hindsight/1" and is what every other operation checks
 * first — so Hindsight never writes snapshots into a bucket or directory that holds something else,
 * and never reads a newer format it does not understand.
 */
import { randomUUID } from 'node:crypto';
import { RpcError } from '../../../../shared/contract/errors.js';
import { REPOSITORY_FORMAT, RepositoryMarker } from '../../../../shared/contract/repositories.js';
import type { RepositoryBackend, SignalOption } from '../backend.js';
import { jsonBytes, parseJsonObject, readSmallObject } from './json-objects.js';
import { MARKER_KEY } from './layout.js';

export interface OpenedRepository {
  backend: RepositoryBackend;
  marker: RepositoryMarker;
}

export interface InitOptions extends SignalOption {
  encryption?: RepositoryMarker['encryption'];
  /** Injected in tests. */
  now?: () => Date;
  id?: string;
}

/** Whether anything at all is stored at the location (a non-empty bucket prefix or directory). */
async function firstObject(backend: RepositoryBackend, signal?: AbortSignal): Promise<string | undefined> {
  for await (const o of backend.list('', { signal })) return o.key;
  return undefined;
}

/**
 * Makes an empty location a repository. Refuses a location that already is one (CONFLICT) or that
 * holds anything else (CONFLICT): choose another prefix or directory rather than mix.
 */
export async function initRepository(backend: RepositoryBackend, opts: InitOptions = {}): Promise<OpenedRepository> {
  const existing = await backend.stat(MARKER_KEY, opts);
  if (existing) {
    const marker = await readMarker(backend, opts).catch(() => undefined);
    throw new RpcError(
      'CONFLICT',
      `${backend.location} is already a Hindsight repository${marker ? ` (id ${marker.id}, created ${marker.createdAt})` : ''}; it was left as it is.`,
    );
  }
  const other = await firstObject(backend, opts.signal);
  if (other !== undefined) {
    throw new RpcError(
      'CONFLICT',
      `${backend.location} is not empty (it holds ${other}, for one) and is not a Hindsight repository. Choose an empty location, or another prefix or directory.`,
    );
  }
  const marker: RepositoryMarker = {
    format: REPOSITORY_FORMAT,
    id: opts.id ?? randomUUID(),
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    encryption: opts.encryption ?? { scheme: 'none' },
  };
  // Created only if absent: two inits racing leave one marker, and the loser is told.
  if (!(await backend.putIfAbsent(MARKER_KEY, jsonBytes(marker), opts))) {
    throw new RpcError('CONFLICT', `${backend.location} was made a Hindsight repository by someone else just now.`);
  }
  return { backend, marker };
}

async function readMarker(backend: RepositoryBackend, opts: SignalOption): Promise<RepositoryMarker> {
  const data = await readSmallObject(backend, MARKER_KEY, { ...opts, limit: 64 << 10 });
  let format: unknown;
  try {
    format = (JSON.parse(data.toString('utf8')) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (typeof format === 'string' && format !== REPOSITORY_FORMAT && format.startsWith('hindsight/')) {
    throw new RpcError(
      'CONFLICT',
      `${backend.location} is a Hindsight repository of format ${format}, which this version does not read (it reads ${REPOSITORY_FORMAT}). Update Hindsight.`,
    );
  }
  return parseJsonObject(backend, MARKER_KEY, data, RepositoryMarker);
}

/** Opens an existing repository; NOT_FOUND with a message saying what is there instead. */
export async function openRepository(backend: RepositoryBackend, opts: SignalOption = {}): Promise<OpenedRepository> {
  if (!(await backend.stat(MARKER_KEY, opts))) {
    const other = await firstObject(backend, opts.signal);
    throw new RpcError(
      'NOT_FOUND',
      other === undefined
        ? `${backend.location} is not a Hindsight repository yet (it is empty). Initialise it first (Repositories → Initialise in the console, or hindsight repo init).`
        : `${backend.location} is not a Hindsight repository: it has no ${MARKER_KEY} but holds other data (${other}, for one). Check the bucket, prefix or path.`,
      // What a console can offer: to initialise an empty location, never one that holds data.
      other === undefined ? 'empty' : 'not-empty',
    );
  }
  return { backend, marker: await readMarker(backend, opts) };
}

/**
 * Opens the repository, initialising it first if the location is still empty — for the embedded
 * default local repository, which a new user never has to set up. A non-empty location that is not
 * a repository is still refused.
 */
export async function openOrInitRepository(backend: RepositoryBackend, opts: InitOptions = {}): Promise<OpenedRepository> {
  if (await backend.stat(MARKER_KEY, opts)) return openRepository(backend, opts);
  try {
    return await initRepository(backend, opts);
  } catch (e) {
    // Someone else initialised it between our look and our write: theirs is as good as ours.
    if (RpcError.is(e) && e.code === 'CONFLICT' && (await backend.stat(MARKER_KEY, opts))) return openRepository(backend, opts);
    throw e;
  }
}
