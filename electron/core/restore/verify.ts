/**
 * verify.run (ARCHITECTURE §6, issue item 6): restore a snapshot into throwaway targets on a
 * chosen host — fresh volumes, and for a database a fresh container — check them against the
 * manifest (the same checks as a restore), remove them, and record the result next to the snapshot:
 * verify/<snapshot-id>/<timestamp>.json in the repository.
 *
 * The throwaway database never runs an image the manifest names (whoever wrote the snapshot could
 * name any image, and the engine would run it): it runs the image of a database container of the
 * same kind already on the verifying host — the one with the source's container name if there is
 * one — with no network at all (NetworkMode none; its readiness is checked over its own loopback).
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { SourceCheck, VerifyResult } from '../../../shared/contract/restore.js';
import type { ManifestSource } from '../../../shared/contract/snapshots.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { databaseKind } from '../backup/discover.js';
import { VERIFY_PREFIX } from '../backup/verify-records.js';
import type { Engine } from '../docker/engine.js';
import { writeJsonObject } from '../repository/index.js';
import { execCapture } from '../sources/index.js';
import { kindOf } from '../kinds/registry.js';
import { freeVolume, removeVolume } from './data-moves.js';
import { loadManifest, newOperationId, runRestore, type RestoreDeps } from './runner.js';
import { VERIFY_LABEL, removeContainer } from './throwaway.js';

export { VERIFY_LABEL };

export function verifyRecordKey(snapshotId: string, at: Date): string {
  return `${VERIFY_PREFIX}${snapshotId}/${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
}

/** The image of a database container of this kind on the host: the source's own name first. */
async function hostImageFor(engine: Engine, src: ManifestSource, host: string, signal?: AbortSignal): Promise<{ image: string; from: string }> {
  const containers = await engine.docker.listContainers({ all: true, abortSignal: signal } as object);
  const candidates = containers
    .filter((c) => c.Labels?.['org.hindsight.helper'] !== 'true' && !c.Labels?.[VERIFY_LABEL])
    .filter((c) => databaseKind(c.Image, c.Command ?? '') === src.kind)
    .map((c) => ({ name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), image: c.ImageID || c.Image }));
  const picked = candidates.find((c) => c.name === src.origin.container) ?? candidates[0];
  if (!picked) {
    throw new RpcError('INVALID_INPUT', `Source ${src.name}: ${host} has no ${kindOf(src.kind).discovering?.serverName ?? src.kind} container whose image the check could run in (an image named by a snapshot is never started). Verify on a host that runs one.`);
  }
  return { image: picked.image, from: picked.name };
}

async function startThrowaway(engine: Engine, server: { env: readonly string[]; ready: string }, name: string, image: string, opId: string, signal?: AbortSignal): Promise<void> {
  const container = await engine.docker.createContainer({
    name,
    Image: image,
    Env: [...server.env],
    Labels: { [VERIFY_LABEL]: opId },
    HostConfig: { AutoRemove: false, NetworkMode: 'none' },
  });
  await container.start();
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const out = await execCapture(engine, { container: name, cmd: ['sh', '-c', server.ready] }, { what: `Waiting for ${name}`, ...(signal ? { signal } : {}) });
      if (out.trim().endsWith('1')) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > until) throw new RpcError('TIMEOUT', `The throwaway server ${name} did not become ready within 60 s.`);
    if (signal?.aborted) throw new RpcError('CANCELLED', 'Verify cancelled.');
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runVerify(
  deps: RestoreDeps,
  input: { repositoryId: string; snapshotId: string; hostId: string; allowUnsigned?: boolean | undefined; decryption?: { passphrase?: string | undefined; identities?: string[] | undefined } | undefined },
  ctx?: TaskContext,
): Promise<VerifyResult> {
  const signal = ctx?.signal;
  const host = await deps.host(input.hostId);
  const backend = await deps.openRepository(input.repositoryId, signal);
  try {
    const { manifest } = await loadManifest(deps, backend, input, 'verify', signal);
    const engine = await deps.engineFor(host.id);
    await engine.connect();
    const opId = newOperationId('verify');
    const short = opId.slice(-6);
    const map: Record<string, string> = {};
    const volumes: string[] = [];
    const containers: string[] = [];
    const sources: string[] = [];
    try {
      for (const src of manifest.sources) {
        // What a source is restored into is its kind's (kinds/): a fresh volume, a fresh server, or nothing.
        const throwaway = kindOf(src.kind).throwaway;
        if (throwaway.kind === 'none') {
          ctx?.report({ type: 'log', level: 'warn', message: `Source ${src.name} (${src.kind}) is not verified by this version`, ts: new Date().toISOString() });
          continue;
        }
        map[src.name] = `hindsight-verify-${short}-${src.name}`;
        sources.push(src.name);
        if (throwaway.kind === 'volume') {
          volumes.push(map[src.name]!);
          continue;
        }
        const { image, from } = await hostImageFor(engine, src, host.name, signal);
        containers.push(map[src.name]!);
        ctx?.report({ type: 'log', level: 'info', message: `Starting a throwaway of ${from}'s image (${image.slice(0, 19)}), no network, as ${map[src.name]}`, ts: new Date().toISOString() });
        await startThrowaway(engine, throwaway, map[src.name]!, image, opId, signal);
      }
      let verification: SourceCheck[] = [];
      let ok = false;
      let error: string | undefined;
      try {
        const result = await runRestore(
          deps,
          { repositoryId: input.repositoryId, snapshotId: input.snapshotId, targetHostId: host.id, map, sources, safetyCopy: false, confirm: host.name, allowUnsigned: input.allowUnsigned, decryption: input.decryption },
          ctx,
          { kind: 'verify', opId },
        );
        verification = result.verification;
        ok = verification.every((v) => v.ok);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const at = new Date();
      const recordKey = verifyRecordKey(manifest.id, at);
      await writeJsonObject(backend, recordKey, { snapshotId: manifest.id, hostId: host.id, hostName: host.name, operationId: opId, at: at.toISOString(), ok, ...(error ? { error } : {}), verification });
      if (error) throw new RpcError('INTERNAL', `Verification of ${manifest.id} failed: ${error}`, `recorded at ${recordKey}`);
      return { operationId: opId, ok, snapshotId: manifest.id, hostId: host.id, verification, recordKey };
    } finally {
      for (const c of containers) await removeContainer(engine, c).catch(() => undefined);
      // (A failed run's rollback removed them already; these are then no-ops.)
      for (const v of volumes) await freeVolume(engine, v).then(() => removeVolume(engine, v)).catch(() => undefined);
    }
  } finally {
    await backend.close();
  }
}
