/**
 * Failures of sources and sinks, as RpcErrors so they cross the boundary unchanged. An engine that
 * refuses or cannot be reached is DOCKER_ERROR (via docker/engine-errors.ts); a command that ran in
 * a container and failed is an ExecFailedError (also DOCKER_ERROR: the contract has no closer code)
 * carrying the exit code and the tail of what the command wrote on stderr.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import { toEngineError } from '../docker/engine-errors.js';

export class ExecFailedError extends RpcError {
  readonly reason = 'EXEC_FAILED';
  constructor(
    readonly what: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const said = stderr.trim();
    const code = exitCode === null ? 'without an exit code' : `with exit code ${exitCode}${hint(exitCode)}`;
    super('DOCKER_ERROR', `${what} failed ${code}${said ? `: ${said}` : '.'}`);
  }
}

function hint(code: number): string {
  if (code === 126) return ' (the command could not be run)';
  if (code === 127) return ' (command not found in the container)';
  if (code > 128 && code < 160) return ` (killed by signal ${code - 128})`;
  return '';
}

export function cancelled(what: string): RpcError {
  return new RpcError('CANCELLED', `${what}: cancelled.`);
}

export function isCancelled(e: unknown): boolean {
  return RpcError.is(e) && e.code === 'CANCELLED';
}

/** An engine call's failure in plain words, or CANCELLED when our own signal caused it. */
export function engineFailure(e: unknown, what: string, signal: AbortSignal | undefined, socketPath?: string): RpcError {
  if (signal?.aborted) return cancelled(what);
  return toEngineError(e, what, socketPath);
}

/** Throws CANCELLED if the signal is already aborted (checked between steps). */
export function checkAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw cancelled(what);
}

/**
 * Settles with CANCELLED as soon as the signal aborts, whether or not the engine call under it
 * settles. Every call also passes the signal to the request itself, which tears it down; this is
 * the guarantee on top: a request aborted while it runs on a reused keep-alive SSH channel has
 * been seen never to settle (its channel's close never reported), and a cancelled operation must
 * not hang on that. A later settlement of the abandoned call is ignored.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled(what));
    if (signal.aborted) {
      promise.catch(() => undefined);
      return onAbort();
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Watches a sink's input from the moment the sink is called: an input that fails while the sink
 * is still preparing (creating a helper, clearing a volume) must neither crash the process with an
 * unhandled 'error' nor be mistaken for an engine failure — its error is the sink's answer.
 */
export function watchInput(input: NodeJS.ReadableStream & { removeListener: (e: 'error', f: (e: unknown) => void) => unknown }) {
  let failure: { error: unknown } | undefined;
  const onError = (e: unknown) => {
    failure ??= { error: e };
  };
  input.on('error', onError);
  return {
    /** The input's error if it failed, else `fallback`. */
    explain: (fallback: unknown): unknown => (failure ? failure.error : fallback),
    dispose: () => void input.removeListener('error', onError),
  };
}

/** Throws if the input already failed or was closed: piping it would wait forever for data. */
export function assertReadable(input: { destroyed: boolean; errored: Error | null; readableEnded: boolean }, what: string): void {
  if (input.errored) throw input.errored;
  if (input.destroyed && !input.readableEnded) throw new RpcError('INTERNAL', `${what}: the input stream was closed before it was read.`);
}

/**
 * `promise`, or after `ms` what `late` returns (or throws). The timer is cleared when the promise
 * settles and never keeps the process alive on its own (a pending one kept the agent's exec — a CLI
 * process — alive seconds after its work was done).
 */
export function withinGrace<T>(promise: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (e) {
        reject(e);
      }
    }, ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
