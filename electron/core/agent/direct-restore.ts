/**
 * The direct data path of a restore (ARCHITECTURE §8): the console runs the restore as always —
 * plan, pre-flight, journal, safety copy, rollback, verify, audit — and only the move of each
 * source's data (repository → target) is done by the target host's agent, which streams it from
 * the repository into the target itself. The console sends the request on the exec's stdin (the
 * repository's credentials included, never in argv) and relays the progress lines.
 *
 * The agent trusts nothing the request says about the data: it reads the manifest from the
 * repository, checks its signature against the writers the console pinned (sent with the
 * request), and the pipeline checks every byte against the manifest, as the console would.
 */
import { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import type { PipelineProgress } from '../pipeline/index.js';
import { restoreOne, type RestoreOneResult } from '../restore/data-moves.js';
import { readCheckedManifest, RequestWriters, requireTrusted, TrustedWriters } from '../signing/index.js';
import { AgentRepository, openRequestRepository } from './agent-config.js';
import { agentEngine } from './agent-pipes.js';

export const DirectRestoreRequest = z.object({
  repository: AgentRepository,
  snapshotId: z.string().min(1).max(200),
  /** The source's name in the manifest. */
  source: z.string().min(1).max(255),
  /** The target volume, database container, or the container holding `directory`. */
  target: z.string().min(1).max(255),
  directory: z.string().min(1).max(4096).optional(),
  decryption: z.object({ passphrase: z.string().optional(), identities: z.array(z.string()).optional() }).optional(),
  /** The user accepted an unsigned snapshot in the console (audited there). */
  allowUnsigned: z.boolean().default(false),
  /** The writers the console trusts now (else those of its last push). */
  trusted: RequestWriters.optional(),
});
export type DirectRestoreRequest = z.input<typeof DirectRestoreRequest>;

/** Agent side: one source into its target on this host. */
export async function restoreSourceHere(stateDir: string, raw: z.output<typeof DirectRestoreRequest>, signal: AbortSignal, onProgress: (p: PipelineProgress) => void): Promise<RestoreOneResult> {
  const { backend, dispose } = await openRequestRepository(stateDir, raw.repository);
  const engine = agentEngine('this host');
  try {
    const checked = await readCheckedManifest(backend, raw.snapshotId, new TrustedWriters(stateDir, raw.trusted), signal);
    requireTrusted(checked, 'restore', { allowUnsigned: raw.allowUnsigned });
    const src = checked.manifest.sources.find((s) => s.name === raw.source);
    if (!src) throw new RpcError('NOT_FOUND', `Snapshot ${raw.snapshotId} has no source "${raw.source}".`);
    return await restoreOne({ backend, engine, src, target: raw.target, directory: raw.directory, decryption: raw.decryption, signal, onProgress });
  } finally {
    engine.dispose();
    await backend.close().catch(() => undefined);
    await dispose();
  }
}
