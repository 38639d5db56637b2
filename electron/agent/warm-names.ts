/**
 * Where the agent's warm worker waits (warm-worker.ts) and which commands it takes. Its own file,
 * without dependencies, because the exec client (exec-client.ts) must load in milliseconds.
 */
export const WARM_SOCKET = '/run/hindsight-agent/warm.sock';

/** The console's commands. Not `serve` (the scheduler itself) nor help and version. */
export const WARM_COMMANDS: ReadonlySet<string> = new Set([
  'status',
  'apply',
  'run',
  'restore-source',
  'backup-source',
  'safety-copy',
  'put-back',
  'discard-safety',
  'pitr-step',
  'pitr-status',
  'pitr-stop',
  'pitr-restore',
]);

/** The scheduler starts the worker as `<the agent> --warm-worker`. */
export const WARM_WORKER_FLAG = '--warm-worker';
