/**
 * verify.run (ARCHITECTURE §6, issue item 6): restore a snapshot into throwaway targets on a
 * chosen host — fresh volumes, and for a database a fresh container of the snapshot's own image —
 * check them against the manifest (the same checks as a restore), remove them, and record the
 * result next to the snapshot: verify/<snapshot-id>/<timestamp>.json in the repository.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { SourceCheck, VerifyResult } from '../../../shared/contract/restore.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { Engine } from '../docker/engine.js';
import { writeJsonObject } from '../repository/index.js';
import { execCapture } from '../sources/index.js';
import { freeVolume, removeVolume } from './data-moves.js';
import { loadManifest, newOperationId, runRestore, type RestoreDeps } from './runner.js';
import { VERIFY_LABEL, removeContainer } from './throwaway.js';

export { VERIFY_LABEL };

export function verifyRecordKey(snapshotId: string, at: Date): string {
  return `verify/${snapshotId}/${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
}

/**
 * A fresh database server of the snapshot's own image, configured through the variables the official
 * images read. Ready = a query over TCP answers (the entrypoints' init-time servers listen on the
 * socket only, and stop again).
 */
const THROWAWAY = {
  postgres: {
    env: ['POSTGRES_HOST_AUTH_METHOD=trust', 'POSTGRES_PASSWORD=verify'],
    ready: 'pg_isready -U postgres -h 127.0.0.1 && psql -U postgres -h 127.0.0.1 -Atc "select 1"',
  },
  mariadb: {
    env: ['MARIADB_ROOT_PASSWORD=verify', 'MYSQL_ROOT_PASSWORD=verify'],
    ready: 'c=$(command -v mariadb || command -v mysql) && "$c" --protocol=tcp -h 127.0.0.1 -uroot -pverify -N -e "select 1"',
  },
} as const;

async function startThrowaway(engine: Engine, kind: keyof typeof THROWAWAY, name: string, image: string, opId: string, signal?: AbortSignal): Promise<void> {
  const container = await engine.docker.createContainer({
    name,
    Image: image,
    Env: [...THROWAWAY[kind].env],
    Labels: { [VERIFY_LABEL]: opId },
    HostConfig: { AutoRemove: false },
  });
  await container.start();
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const out = await execCapture(engine, { container: name, cmd: ['sh', '-c', THROWAWAY[kind].ready] }, { what: `Waiting for ${name}`, ...(signal ? { signal } : {}) });
      if (out.trim().endsWith('1')) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > until) throw new RpcError('TIMEOUT', `The throwaway ${kind} server ${name} did not become ready within 60 s.`);
    if (signal?.aborted) throw new RpcError('CANCELLED', 'Verify cancelled.');
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runVerify(
  deps: RestoreDeps,
  input: { repositoryId: string; snapshotId: string; hostId: string; decryption?: { passphrase?: string | undefined; identities?: string[] | undefined } | undefined },
  ctx?: TaskContext,
): Promise<VerifyResult> {
  const signal = ctx?.signal;
  const host = await deps.host(input.hostId);
  const backend = await deps.openRepository(input.repositoryId, signal);
  try {
    const manifest = await loadManifest(backend, input.snapshotId, signal);
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
        if (src.kind === 'volume') {
          map[src.name] = `hindsight-verify-${short}-${src.name}`;
          volumes.push(map[src.name]!);
          sources.push(src.name);
        } else if (src.kind === 'postgres' || src.kind === 'mariadb') {
          const image = src.origin.image;
          if (!image) throw new RpcError('INVALID_INPUT', `Source ${src.name}: the manifest names no image to verify the dump in.`);
          map[src.name] = `hindsight-verify-${short}-${src.name}`;
          containers.push(map[src.name]!);
          ctx?.report({ type: 'log', level: 'info', message: `Starting a throwaway ${image} as ${map[src.name]}`, ts: new Date().toISOString() });
          await startThrowaway(engine, src.kind, map[src.name]!, image, opId, signal);
          sources.push(src.name);
        } else {
          ctx?.report({ type: 'log', level: 'warn', message: `Source ${src.name} (${src.kind}) is not verified by this version`, ts: new Date().toISOString() });
        }
      }
      let verification: SourceCheck[] = [];
      let ok = false;
      let error: string | undefined;
      try {
        const result = await runRestore(
          deps,
          { repositoryId: input.repositoryId, snapshotId: input.snapshotId, targetHostId: host.id, map, sources, safetyCopy: false, confirm: host.name, decryption: input.decryption },
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
