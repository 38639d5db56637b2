/**
 * The `repositories.*` handlers: the saved snapshot repositories (repositories.json, secrets in
 * repository-secrets.json), a check that reaches the storage and reads its format marker, and init.
 * Secrets only ever flow from the store into a backend; what goes back is the store's public form.
 */
import { RpcError, type ErrorCode } from '../../shared/contract/errors.js';
import type { RepositoryCheckResult, RepositoryCheckStep } from '../../shared/contract/repositories.js';
import type { BackendHandlers } from './backend-types.js';
import { createLogger } from './log.js';
import {
  MARKER_KEY,
  createBackend as createRepositoryBackend,
  initRepository,
  openRepository,
  type BackendDeps,
  type RepositoriesStore,
  type RepositoryBackend,
} from './repository/index.js';
import { StepError } from './step-error.js';

const log = createLogger('repositories');

export interface RepositoriesDeps {
  store: RepositoriesStore;
  /** configDir, and the app's SSH deps so an SFTP host key seen here can be accepted via hosts.acceptHostKey. */
  backendDeps: BackendDeps;
  emit: (name: 'repositories.onChanged', payload: { repositoryId?: string }) => void;
}

type Failure = Extract<RepositoryCheckResult, { ok: false }>;

/** Which step of reaching storage an error belongs to; `fallback` for the codes that depend on the phase. */
function stepOf(code: ErrorCode, fallback: RepositoryCheckStep): RepositoryCheckStep {
  switch (code) {
    case 'LOOKUP_FAILED':
    case 'TCP_FAILED':
    case 'TIMEOUT':
    case 'DISCONNECTED':
      return 'connect';
    case 'HOSTKEY_UNKNOWN':
    case 'HOSTKEY_CHANGED':
      return 'hostkey';
    case 'AUTH_FAILED':
    case 'KEY_UNREADABLE':
      return 'auth';
    case 'INVALID_INPUT':
      return 'config';
    default:
      return fallback;
  }
}

function failure(e: unknown, fallback: RepositoryCheckStep): Failure {
  if (!RpcError.is(e)) return { ok: false, step: fallback, code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
  return {
    ok: false,
    step: stepOf(e.code, fallback),
    code: e.code,
    message: e.message,
    ...(StepError.isStep(e) && e.hostKey ? { hostKey: e.hostKey } : {}),
    ...(e.code === 'NOT_FOUND' && (e.detail === 'empty' || e.detail === 'not-empty') ? { empty: e.detail === 'empty' } : {}),
  };
}

export function repositoriesHandlers(d: RepositoriesDeps): BackendHandlers['repositories'] {
  /** A live backend for a saved repository; closed by `use` whatever happens. */
  const use = async <T>(id: string, fn: (backend: RepositoryBackend) => Promise<T>): Promise<T> => {
    const [config, secrets] = await Promise.all([d.store.stored(id), d.store.secrets(id)]);
    const backend = createRepositoryBackend(config, secrets, d.backendDeps);
    try {
      return await fn(backend);
    } finally {
      await backend.close().catch((e: unknown) => log.warn(`closing ${backend.location} failed`, RpcError.is(e) ? e.message : e));
    }
  };

  return {
    list: () => d.store.list(),

    add: async (input) => {
      const repo = await d.store.add(input);
      log.info(`added repository ${repo.name} (${repo.kind})`);
      d.emit('repositories.onChanged', { repositoryId: repo.id });
      return repo;
    },

    update: async ({ id, repository }) => {
      const repo = await d.store.update(id, repository);
      log.info(`updated repository ${repo.name} (${repo.kind})`);
      d.emit('repositories.onChanged', { repositoryId: repo.id });
      return repo;
    },

    remove: async ({ id }) => {
      const removed = await d.store.remove(id);
      if (removed) {
        log.info(`removed repository ${id}`);
        d.emit('repositories.onChanged', { repositoryId: id });
      }
      return { removed };
    },

    check: async ({ id }) => {
      const config = await d.store.stored(id); // NOT_FOUND for an unknown id: an error, not a check result
      const started = performance.now();
      try {
        return await use(id, async (backend): Promise<RepositoryCheckResult> => {
          // 1. Reach the storage: connection, host key, credentials. A listing rather than a stat:
          //    S3 answers a HEAD with a bare 403, a listing with the reason (InvalidAccessKeyId…);
          //    and a repository needs listing rights anyway (snapshots by date).
          try {
            for await (const _ of backend.list(MARKER_KEY)) break;
          } catch (e) {
            return failure(e, RpcError.is(e) && e.code === 'NOT_FOUND' ? 'config' : 'connect');
          }
          // 2. Read the marker: a Hindsight repository of a format this version reads?
          try {
            const { marker } = await openRepository(backend);
            return {
              ok: true,
              message: `${backend.location}: a Hindsight repository (${marker.format}, id ${marker.id}, created ${marker.createdAt}).`,
              location: backend.location,
              format: marker.format,
              id: marker.id,
              createdAt: marker.createdAt,
              latencyMs: performance.now() - started,
            };
          } catch (e) {
            return failure(e, 'marker');
          }
        });
      } catch (e) {
        // The backend could not even be built from the saved settings.
        log.warn(`checking repository ${config.name} failed before reaching it`, RpcError.is(e) ? e.message : e);
        return failure(e, 'config');
      }
    },

    init: async ({ id }) =>
      use(id, async (backend) => {
        const { marker } = await initRepository(backend);
        log.info(`initialised ${backend.location} (id ${marker.id})`);
        return { location: backend.location, format: marker.format, id: marker.id, createdAt: marker.createdAt };
      }),
  };
}
