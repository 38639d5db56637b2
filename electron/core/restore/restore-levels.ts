/**
 * Restoring a level of an incremental chain (ARCHITECTURE §9): every level the manifest lists, level 0
 * first, then the source's own — each through the same pipeline as any object (stored and raw
 * checksums from THIS manifest, which its writer signed), its tar guarded with one entry policy for
 * the whole chain (a symbolic link an earlier level made stays suspect for every later one) and
 * extracted by GNU tar with its renames and deletions. The first level goes into the cleared target.
 * A level that replaces a link an earlier level made is read twice: first to find those links,
 * which are removed from the target before the level is extracted (pipeline/tar-chain.ts).
 * Afterwards the target's tree is listed: it must hold exactly the entries the last level's
 * directory listings name (their count and digest, pipeline/tree-digest.ts).
 *
 * By hand, the same: `for f in <levels in order>; do zstd -d < $f | tar --listed-incremental=/dev/null -x; done`.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { Manifest } from '../../../shared/contract/snapshots.js';
import { levelsOf } from '../../../shared/levels.js';
import type { RepositoryBackend } from '../repository/index.js';
import { firstMissing } from '../backup/levels.js';
import { EntryPolicy, linksReplacedBy, type PipelineProgress, type RunPipelineResult, type TarSummary } from '../pipeline/index.js';
import type { HolesResult } from '../sources/holes.js';
import { kindOf } from '../kinds/registry.js';
import { movedOf, restoreObject, type RestoreOneInput, type RestoreOneResult } from './data-moves.js';

/** Why the chain cannot be restored (a level gone from the repository), checked before anything is touched; undefined when whole. */
export async function brokenChain(input: Pick<RestoreOneInput, 'backend' | 'src' | 'signal'>): Promise<string | undefined> {
  const missing = await firstMissing(input.backend, levelsOf(input.src), input.signal);
  return missing ? `Source ${input.src.name} is level ${input.src.incremental?.level ?? 0} of an incremental chain, and ${missing} is missing from ${input.backend.location}: it cannot be restored (an older snapshot whose chain is whole can).` : undefined;
}

/** Per chosen source that is a level: why its chain is broken (source name → message); empty when all are whole. */
export async function brokenChains(backend: RepositoryBackend, manifest: Manifest, sources: string[] | undefined, signal?: AbortSignal): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const src of manifest.sources) {
    if (!src.incremental || (sources?.length && !sources.includes(src.name))) continue;
    const problem = await brokenChain({ backend, src, ...(signal ? { signal } : {}) });
    if (problem) out[src.name] = problem;
  }
  return out;
}

export async function restoreLevels(input: RestoreOneInput): Promise<RestoreOneResult> {
  const { engine, src, target, signal } = input;
  const levels = kindOf(src.kind).restoring.levels;
  if (!levels) throw new RpcError('INVALID_INPUT', `Source ${src.name}: a ${src.kind} source is never backed up in levels.`);
  const broken = await brokenChain(input);
  if (broken) throw new RpcError('NOT_FOUND', broken);
  const links = levelsOf(src);
  const policy = new EntryPolicy();
  const total = links.reduce((a, l) => a + l.rawBytes, 0);
  let before = 0;
  let last: { r: RunPipelineResult<{ tar?: TarSummary; holes?: HolesResult }>; tar?: TarSummary } | undefined;
  for (const [i, link] of links.entries()) {
    // Links an earlier level made that this one replaces (by a directory or a file): read the level
    // once through a copy of the policy, remove those links by name, then extract (tar-chain.ts).
    if (i > 0 && policy.madeSymlinks) {
      const replaced = (await restoreObject(input, link, (stream) => linksReplacedBy(stream, policy), () => undefined)).sinkResult ?? [];
      if (replaced.length) {
        await levels.removeLinks({ engine, target, paths: replaced, ...(signal ? { signal } : {}) });
        policy.forget(replaced);
      }
    }
    const onProgress = input.onProgress;
    // One progress for the whole chain: bytes of the levels before, plus this one's.
    const r = await restoreObject(
      input,
      link,
      (stream) => levels.load({ engine, target, stream, first: i === 0, policy, ...(signal ? { signal } : {}) }),
      onProgress && ((p: PipelineProgress) => onProgress({ ...p, bytesDone: before + p.bytesDone, bytesTotal: total, fraction: total ? (before + p.bytesDone) / total : null })),
    );
    before += link.rawBytes;
    last = { r, ...(r.sinkResult?.tar ? { tar: r.sinkResult.tar } : {}) };
  }
  const tree = await levels.tree({ engine, target, ...(signal ? { signal } : {}) });
  const { r, tar } = last!;
  return {
    ...movedOf(r),
    // What the verify checks against the manifest: the tree now in the target, its entries and their digest.
    ...(tar ? { tar: { ...tar, entries: tree.entries } } : {}),
    tree,
    ...(r.sinkResult?.holes ? { holes: r.sinkResult.holes } : {}),
  };
}
