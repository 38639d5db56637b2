/**
 * The direct data path of a backup clicked in the console (ARCHITECTURE §8): the console runs the
 * backup as always — lock, operation, manifest written last and signed — and only the copy of each
 * source (read, guard, file index, compress, upload) is done by the host's agent, which streams it
 * from the engine to the repository itself. The request comes on the exec's stdin (credentials
 * included); the agent answers with the source's manifest entry, which the console confirms
 * against the stored objects before it writes the manifest.
 */
import { z } from 'zod';
import { RepositoryConfig, RepositorySecrets } from '../../../shared/contract/repositories.js';
import { SourceSpec } from '../../../shared/contract/snapshots.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { backupOneSource } from '../backup/run-backup.js';
import { createBackend as openRepository } from '../repository/index.js';
import { agentEngine } from './agent-pipes.js';

export const DirectBackupRequest = z.object({
  repository: z.object({ config: RepositoryConfig, secrets: RepositorySecrets }),
  host: z.object({ id: z.string().min(1), name: z.string().min(1) }),
  snapshotId: z.string().min(1).max(200),
  name: z.string().min(1).max(255),
  index: z.number().int().min(0),
  count: z.number().int().min(1),
  spec: SourceSpec,
  compression: z.enum(['zstd', 'gzip']),
  sizeHint: z.number().optional(),
});
export type DirectBackupRequest = z.input<typeof DirectBackupRequest>;

/** Agent side: one source of the console's snapshot, copied from this host to the repository. */
export async function backupSourceHere(stateDir: string, r: z.output<typeof DirectBackupRequest>, ctx: TaskContext) {
  const backend = openRepository(r.repository.config, r.repository.secrets, { configDir: stateDir });
  const engine = agentEngine(r.host.name);
  try {
    return await backupOneSource(
      { set: '', host: r.host, engine, backend, sources: [r.spec], compression: r.compression, encryption: { kind: 'none', spec: { kind: 'none' } }, stopContainers: false, tags: [] },
      { snapshotId: r.snapshotId, name: r.name, index: r.index, count: r.count, spec: r.spec, sizeHint: r.sizeHint, signal: ctx.signal, report: ctx.report },
    );
  } finally {
    engine.dispose();
    await backend.close().catch(() => undefined);
  }
}
