/**
 * The direct data path of a backup clicked in the console (ARCHITECTURE §8): the console runs the
 * backup as always — lock, operation, manifest written last and signed — and only the copy of each
 * source (read, guard, file index, compress, upload) is done by the host's agent, which streams it
 * from the engine to the repository itself. The request comes on the exec's stdin (credentials
 * included); the agent answers with the source's manifest entry, which the console confirms
 * against the stored objects before it writes the manifest.
 */
import { z } from 'zod';
import { SourceSpec } from '../../../shared/contract/snapshots.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import { backupOneSource } from '../backup/run-backup.js';
import { Levels } from '../backup/levels.js';
import { TrustedWriters } from '../signing/index.js';
import { AgentRepository, openRequestRepository } from './agent-config.js';
import { agentEngine } from './agent-pipes.js';

export const DirectBackupRequest = z.object({
  repository: AgentRepository,
  host: z.object({ id: z.string().min(1), name: z.string().min(1) }),
  snapshotId: z.string().min(1).max(200),
  name: z.string().min(1).max(255),
  index: z.number().int().min(0),
  count: z.number().int().min(1),
  spec: SourceSpec,
  compression: z.enum(['zstd', 'gzip']),
  /**
   * The set's encryption, as the console's backup would apply it: age to recipients (public keys:
   * nothing secret) or to a passphrase (sent like the repository's credentials, on stdin). Never
   * identities: encrypting needs none.
   */
  encryption: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('none'), spec: z.object({ kind: z.literal('none') }) }),
      z.object({ kind: z.literal('age-recipients'), spec: z.object({ kind: z.literal('recipients'), recipients: z.array(z.string().regex(/^age1[0-9a-z]+$/)).min(1).max(20) }) }),
      z.object({ kind: z.literal('age-passphrase'), spec: z.object({ kind: z.literal('passphrase'), passphrase: z.string().min(1).max(1024), workFactor: z.number().int().min(1).max(30).optional() }) }),
    ])
    .default({ kind: 'none', spec: { kind: 'none' } }),
  sizeHint: z.number().optional(),
});
export type DirectBackupRequest = z.input<typeof DirectBackupRequest>;

/** Agent side: one source of the console's snapshot, copied from this host to the repository. */
export async function backupSourceHere(stateDir: string, r: z.output<typeof DirectBackupRequest>, ctx: TaskContext) {
  const { backend, dispose } = await openRequestRepository(stateDir, r.repository);
  const engine = agentEngine(r.host.name);
  // Incremental levels: GNU tar's snapshot files kept in this agent's state (backup/levels.ts).
  const levels = engine.pipes ? new Levels(stateDir, engine.pipes.dir, new TrustedWriters(stateDir)) : undefined;
  try {
    return await backupOneSource(
      { set: '', host: r.host, engine, backend, sources: [r.spec], compression: r.compression, encryption: r.encryption, stopContainers: false, tags: [], ...(levels ? { levels } : {}) },
      { snapshotId: r.snapshotId, name: r.name, index: r.index, count: r.count, spec: r.spec, sizeHint: r.sizeHint, signal: ctx.signal, report: ctx.report },
    );
  } finally {
    engine.dispose();
    await backend.close().catch(() => undefined);
    await dispose();
  }
}
