/**
 * The connection check behind `hosts.check` / `hosts.probe`: walk the steps in order and report the
 * engine's version and the ping round trip, or exactly which step failed and why.
 * lookup → tcp → hostkey → auth happen in the tunnel's connect; the first ping opens a channel to
 * the engine socket (socket step) and gets an answer from the engine (docker step).
 */
import { performance } from 'node:perf_hooks';
import { RpcError } from '../../../shared/contract/errors.js';
import type { CheckResult } from '../../../shared/contract/hosts.js';
import { StepError } from '../step-error.js';
import { info, ping, version } from './dial.js';
import { toEngineError } from './engine-errors.js';
import type { Engine } from './engine.js';

const CHECK_TIMEOUT_MS = 30_000;

export async function checkEngine(engine: Engine): Promise<CheckResult> {
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  try {
    await engine.connect();
    // First ping: proves the socket opens and the engine answers.
    await ping(engine.docker, signal);
    // Then the round trip through the open tunnel: the best of three pings, so a channel being
    // opened or a scheduling hiccup does not pass for network latency.
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await ping(engine.docker, signal);
      best = Math.min(best, performance.now() - t0);
    }
    const latencyMs = Math.round(best * 10) / 10;
    const [v, about] = await Promise.all([version(engine.docker, signal), info(engine.docker, signal).catch(() => undefined)]);
    return {
      ok: true,
      dockerVersion: v.Version,
      apiVersion: v.ApiVersion,
      os: about?.OperatingSystem || `${v.Os}/${v.Arch}`,
      latencyMs,
    };
  } catch (e) {
    return failureOf(e, engine, signal.aborted);
  }
}

function failureOf(e: unknown, engine: Engine, timedOut: boolean): Extract<CheckResult, { ok: false }> {
  if (e instanceof StepError) return e.toCheckResult();
  if (timedOut) {
    return { ok: false, step: 'docker', code: 'TIMEOUT', message: `${engine.name}: the Docker engine did not answer within ${CHECK_TIMEOUT_MS / 1000} s.` };
  }
  const err = toEngineError(e, `Docker engine on ${engine.name}`, engine.localSocket);
  if (err instanceof StepError) return err.toCheckResult();
  return { ok: false, step: 'docker', code: RpcError.is(err) ? err.code : 'DOCKER_ERROR', message: err.message };
}
