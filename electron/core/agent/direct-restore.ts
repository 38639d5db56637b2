/**
 * The direct data path of a restore (ARCHITECTURE §8): the console runs the restore as always —
 * plan, pre-flight, journal, safety copy, rollback, verify, audit — and only the move of each
 * source's data (repository → target) is done by the target host's agent, which streams it from
 * the repository into the target itself. The console sends the request on the exec's stdin (the
 * repository's credentials included, never in argv) and relays the progress lines.
 *
 * The request goes ahead of the restore step: the console starts the exec and writes the request
 * as one line when its run begins; the agent checks the manifest and starts reading the data
 * while the console's pre-flight runs, and begins only on an empty line that follows — the end of
 * stdin without it calls the restore off, nothing on the host changed (agent-cli.ts). A request
 * that is all of stdin with no newline (an older console) is run at once.
 *
 * The agent trusts nothing the request says about the data: it reads the manifest from the
 * repository, checks its signature against the writers the console pinned (sent with the
 * request), and the pipeline checks every byte against the manifest, as the console would.
 */
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { isLaterLevel } from '../../../shared/levels.js';
import { SourceKind } from '../../../shared/contract/snapshots.js';
import { RpcError } from '../../../shared/contract/errors.js';
import type { PipelineProgress } from '../pipeline/index.js';
import { openStoredObject, restoredOf, restoreObject, restoreOne, type RestoreOneResult } from '../restore/data-moves.js';
import { readCheckedManifest, RequestWriters, requireTrusted, TrustedWriters } from '../signing/index.js';
import { AgentRepository, openRequestRepository } from './agent-config.js';
import { agentEngine } from './agent-pipes.js';
import { kindOf } from '../kinds/registry.js';
import type { PreparedLoad } from '../kinds/kind-module.js';

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
  /** The source's kind as the console's plan has it: its sink is made ready while the manifest is checked. */
  prepareAs: SourceKind.optional(),
});
export type DirectRestoreRequest = z.input<typeof DirectRestoreRequest>;

/** A restore made ready on this host: its manifest checked, its data being read; nothing on the host touched yet. */
export interface PreparedRestore {
  run(onProgress: (p: PipelineProgress) => void): Promise<RestoreOneResult>;
  /** Not to be run after all (the console's pre-flight refused, or it was cancelled): closes what was opened. */
  abandon(): Promise<void>;
}

/**
 * How far a restore's data is decoded before its target may be written (the word to begin) or
 * while its sink gets ready: its stored bytes read, checked and decompressed into memory, so that
 * the helper's start and the console's pre-flight are not time the data waits. Bounded: the
 * stream stops there until the sink reads.
 */
export const DECODE_AHEAD_BYTES = 96 * 1024 * 1024;

/**
 * Agent side, first half: the repository opened, the manifest read and checked against the
 * writers the console sent, the source's stored object opened and its data flowing — read from
 * the repository (S3: ranged-reader.ts), checked and decoded into memory up to
 * DECODE_AHEAD_BYTES — and the target's sink made ready where the kind can (a volume: its helper
 * started, held at a gate: sources/pipe-tar.ts). Nothing in the target is touched, so the console
 * may still call the restore off (`abandon`). A console sends the request this way before its
 * pre-flight (agent-cli.ts `restore-source`), and the data is on its way when the restore step begins.
 */
export async function prepareRestoreHere(stateDir: string, raw: z.output<typeof DirectRestoreRequest>, signal: AbortSignal): Promise<PreparedRestore> {
  const { backend, dispose } = await openRequestRepository(stateDir, raw.repository);
  const engine = agentEngine('this host');
  const target = { engine, target: raw.target, path: raw.directory, signal };
  let prepared: PreparedLoad | undefined;
  // The sink for the kind the console names, made while the manifest is checked (a helper's start
  // is most of the agent's preparation); nothing in the target is touched until it loads.
  let early = raw.prepareAs ? kindOf(raw.prepareAs).restoring.prepare?.(target) : undefined;
  early?.catch(() => undefined); // awaited below, or abandoned
  const dropEarly = async () => {
    const made = await early?.catch(() => undefined);
    early = undefined;
    await made?.abandon().catch(() => undefined);
  };
  // The data of a whole source, flowing from here on; its sink waits for `begin`.
  let beginNow = () => {};
  let callOff: (e: Error) => void = () => {};
  const begin = new Promise<void>((resolve, reject) => ((beginNow = resolve), (callOff = reject)));
  begin.catch(() => undefined);
  let moving: Promise<RestoreOneResult> | undefined;
  let progressTo: ((p: PipelineProgress) => void) | undefined;
  let lastProgress: PipelineProgress | undefined;
  const close = async () => {
    callOff(new RpcError('CANCELLED', 'The restore was called off before it began: nothing on this host was changed.'));
    await moving?.catch(() => undefined); // its sink never began: the data stopped, the target untouched
    // A sink never loaded (called off, or the restore failed before its data came) ends untouched.
    await prepared?.abandon().catch(() => undefined);
    await dropEarly();
    engine.dispose();
    await backend.close().catch(() => undefined);
    await dispose();
  };
  try {
    const checked = await readCheckedManifest(backend, raw.snapshotId, new TrustedWriters(stateDir, raw.trusted), signal);
    requireTrusted(checked, 'restore', { allowUnsigned: raw.allowUnsigned });
    const src = checked.manifest.sources.find((s) => s.name === raw.source);
    if (!src) throw new RpcError('NOT_FOUND', `Snapshot ${raw.snapshotId} has no source "${raw.source}".`);
    // A level of a chain reads its levels one after another (restore-levels.ts): nothing made ahead.
    if (!isLaterLevel(src)) {
      // The sink, where the kind can make it ahead (a volume: its helper started, waiting at its
      // gate) — the one made early if the manifest's kind is the one the console said.
      const { prepare, load } = kindOf(src.kind).restoring;
      let sink: Promise<PreparedLoad | undefined>;
      if (early && raw.prepareAs === src.kind) {
        sink = early;
        early = undefined;
      } else {
        await dropEarly();
        sink = prepare ? prepare(target) : Promise.resolve(undefined);
      }
      sink.catch(() => undefined); // awaited below
      const opened = await openStoredObject(backend, src, signal);
      const input = { backend, engine, src, target: raw.target, directory: raw.directory, decryption: raw.decryption, signal, sinkBuffer: DECODE_AHEAD_BYTES };
      const onProgress = (p: PipelineProgress) => (progressTo ? progressTo(p) : (lastProgress = p));
      moving = restoreObject({ ...input, opened }, src, async (stream) => {
        // Until the word to begin: a failure of the data (the object gone, a damaged part) ends it here.
        await Promise.race([begin, finished(stream)]);
        const made = await sink;
        return made ? made.load(stream) : load({ engine, src, target: raw.target, path: raw.directory, stream, signal });
      }, onProgress).then(restoredOf);
      moving.catch(() => undefined); // said at `run`
      prepared = await sink;
    }
    await dropEarly();
    return {
      run: async (onProgress) => {
        try {
          if (!moving) return await restoreOne({ backend, engine, src, target: raw.target, directory: raw.directory, decryption: raw.decryption, signal, onProgress });
          progressTo = onProgress;
          if (lastProgress) onProgress(lastProgress);
          beginNow();
          const done = await moving;
          prepared = undefined; // loaded
          return done;
        } finally {
          await close();
        }
      },
      abandon: close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Agent side: one source into its target on this host (a request given when the restore step begins). */
export async function restoreSourceHere(stateDir: string, raw: z.output<typeof DirectRestoreRequest>, signal: AbortSignal, onProgress: (p: PipelineProgress) => void): Promise<RestoreOneResult> {
  return (await prepareRestoreHere(stateDir, raw, signal)).run(onProgress);
}
