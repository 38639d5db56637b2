/**
 * One source of a backup, copied: read by its kind's module (kinds/), as a level when the source
 * asks for incremental levels and this process can make them (levels.ts), through the tar guard
 * (counts, file index) and the pipeline into `data/<id>/<source>.<ext>` — what run-backup.ts does
 * for each source, here or on the host's agent. Returns the source's manifest entry.
 */
import type { Readable } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';
import type { TaskContext } from '../../../shared/contract/types.js';
import type { ManifestSource, SourceSpec } from '../../../shared/contract/snapshots.js';
import { parseSnapshotId } from '../../../shared/snapshot-id.js';
import { chunkBytesFor } from '../docker/engine.js';
import { runPipeline, storedSuffix, TarGuard, type CompressionSpec, type PipelineProgress } from '../pipeline/index.js';
import { dataKey, indexKey } from '../repository/index.js';
import { backingOf } from '../kinds/registry.js';
import type { LevelPlan } from './levels.js';
import { indexStream, LevelIndex, mergeLevelIndex } from './level-index.js';
import type { BackupTarget } from './run-backup.js';

type Report = TaskContext['report'];

/** What a run wrote so far: removed again if it fails. */
export interface Written {
  keys: string[];
  /** Stored sizes of the file indexes, checked like the data objects before the manifest. */
  indexBytes: Map<string, number>;
}

const MiB = 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < MiB) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${(n / 1024 / MiB).toFixed(2)} GiB`;
}

export interface SourceContext {
  target: BackupTarget;
  id: string;
  name: string;
  index: number;
  count: number;
  signal: AbortSignal;
  now: () => Date;
  report: Report;
  logLine: (level: 'info' | 'warn' | 'error', message: string) => void;
  written: Written;
  sizeHint: number | undefined;
  chunkBytes?: number;
  onProgress?: (source: string, progress: PipelineProgress) => void;
}

export async function copySource(spec: SourceSpec, ctx: SourceContext): Promise<ManifestSource> {
  const { target, name } = ctx;
  const startedAt = ctx.now();
  const t0 = performance.now();
  const backing = backingOf(spec);
  ctx.logLine('info', `${name}: reading ${backing.describe(spec)}`);
  const plan = await planLevel(spec, ctx);
  try {
    const source = await copyOpened(spec, ctx, plan, startedAt, t0);
    if (plan) await target.levels!.keep(plan, ctx.id);
    return source;
  } finally {
    if (plan) await target.levels!.discard(plan);
  }
}

/** The level an incremental source gets (levels.ts), or undefined for a plain full copy — said in the log either way. */
async function planLevel(spec: SourceSpec, ctx: SourceContext): Promise<LevelPlan | undefined> {
  const incremental = 'incremental' in spec ? spec.incremental : undefined;
  if (!incremental || !backingOf(spec).levels) return undefined;
  const { target } = ctx;
  if (!target.levels || !target.engine.pipes) {
    ctx.logLine('warn', `${ctx.name}: a full copy, not a level: incremental levels are made by the host's agent (GNU tar on ${target.host.name}), and this backup runs without it`);
    return undefined;
  }
  const plan = await target.levels.plan({
    backend: target.backend,
    set: target.set || (parseSnapshotId(ctx.id)?.set ?? ''),
    source: ctx.name,
    volume: 'volume' in spec ? spec.volume : ctx.name,
    hostId: target.host.id,
    incremental,
    now: ctx.now(),
    signal: ctx.signal,
  });
  ctx.logLine(plan.unexpected ? 'warn' : 'info', `${ctx.name}: ${plan.reason}`);
  return plan;
}

async function copyOpened(spec: SourceSpec, ctx: SourceContext, plan: LevelPlan | undefined, startedAt: Date, t0: number): Promise<ManifestSource> {
  const { target, signal, name } = ctx;
  const { backend } = target;
  // What differs by kind — what is read and what the manifest records — is the kind's module's (kinds/).
  const opened = await backingOf(spec).open(spec, { engine: target.engine, signal, name, ...(plan ? { level: { snapshotFile: plan.snapshotFile } } : {}) });
  const compression: CompressionSpec = { kind: target.compression };
  const suffix = storedSuffix(compression, target.encryption.spec);
  const key = dataKey(ctx.id, name, `${opened.ext}${suffix}`);
  const isTar = opened.format === 'tar';
  // File names are data too: no plain-text index of an encrypted snapshot. A level beyond 0 holds
  // what changed only: its index is made from the base level's and its own (level-index.ts).
  const plain = isTar && target.encryption.kind === 'none';
  const levelIndex = plain && plan && plan.level > 0 && plan.baseIndexKey ? new LevelIndex() : undefined;
  const wantIndex = plain && (!plan || plan.level === 0 || !!levelIndex);
  const guard = isTar ? new TarGuard({ policy: 'report', index: wantIndex, dumpdirs: !!plan, ...(levelIndex ? { onDumpdir: levelIndex.onDumpdir } : {}) }) : undefined;
  const ik = wantIndex ? indexKey(ctx.id, name) : undefined;

  ctx.written.keys.push(key);
  if (ik) ctx.written.keys.push(ik);
  const writeIndex = (source: Readable) => runPipeline({ direction: 'backup', source, sink: (body) => backend.putObject(ik!, body, { signal }), compression: { kind: 'zstd' }, encryption: { kind: 'none' }, signal });
  // The index streams beside the data; a level's is collected, then merged with its base's.
  const indexRun = guard?.index && ik ? (levelIndex ? levelIndex.collect(guard.index).then(() => null) : writeIndex(guard.index)) : undefined;
  indexRun?.catch(() => undefined); // settled below

  // A level beyond 0 is what changed, not the volume: its size says nothing of the level's progress.
  const total = plan && plan.level > 0 ? undefined : ctx.sizeHint;
  // The source's size (a volume's) or a bound of it (a database's on disk), when known, lets S3
  // choose parts large enough for it (s3/part-size.ts).
  const expectedBytes = ctx.sizeHint ?? opened.upperBound;
  let dataResult;
  try {
    dataResult = await runPipeline({
      direction: 'backup',
      source: opened.stream,
      sink: (body) => backend.putObject(key, body, { signal, ...(expectedBytes ? { expectedBytes } : {}) }),
      compression,
      encryption: target.encryption.spec,
      signal,
      rawStages: guard ? [guard] : [],
      ...(total ? { sourceSize: total } : {}),
      ...chunkBytesFor(target.engine, ctx.chunkBytes),
      onProgress: (p) => {
        ctx.onProgress?.(name, p);
        const frac = p.fraction !== null ? Math.min(1, p.fraction) : null;
        const rate = `${formatBytes(Math.round(p.bytesPerSecond))}/s`;
        const of = p.bytesTotal ? ` of ~${formatBytes(p.bytesTotal)}` : '';
        const eta = p.etaSeconds !== null && p.etaSeconds !== undefined ? `, ETA ${Math.ceil(p.etaSeconds)} s` : '';
        ctx.report({
          type: 'progress',
          fraction: frac === null ? null : (ctx.index + frac) / ctx.count,
          message: `${name} (${ctx.index + 1}/${ctx.count}): ${formatBytes(p.bytesDone)}${of}, ${rate}${eta}`,
          bytesDone: p.bytesDone,
          ...(p.bytesTotal ? { bytesTotal: p.bytesTotal } : {}),
          step: 'copy',
          source: name,
        });
      },
    });
  } catch (e) {
    await indexRun?.catch(() => undefined);
    throw e;
  } finally {
    await opened.closed;
  }
  let indexResult;
  if (indexRun) {
    try {
      indexResult = await indexRun;
      if (levelIndex && plan?.baseIndexKey) {
        const merged = await mergeLevelIndex(backend, plan.baseIndexKey, levelIndex, signal);
        if ('lines' in merged) indexResult = await writeIndex(indexStream(merged.lines));
        else ctx.logLine('warn', `${name}: no file index for this level: ${merged.problem}`);
      }
    } catch (e) {
      throw new RpcError('INTERNAL', `${name}: writing the file index failed.`, e instanceof Error ? e.message : String(e));
    }
  }
  if (ik && indexResult) ctx.written.indexBytes.set(ik, indexResult.storedBytes);
  const summary = guard?.summary;
  // Files changed while GNU tar read them: the level's listings may not be what it stored, so no tree digest.
  const changed = (await opened.changed) === true;
  if (plan && changed) ctx.logLine('warn', `${name}: files changed while they were read; this level's tree is not checked after a restore (stop the volume's containers during backups for a consistent copy)`);
  for (const p of summary?.problems.slice(0, 10) ?? []) ctx.logLine('warn', `${name}: ${p.entry}: ${p.problem} (kept as it is; a restore will refuse it)`);
  const seconds = (performance.now() - t0) / 1000;
  ctx.logLine(
    'info',
    `${name}: ${formatBytes(dataResult.rawBytes)} → ${formatBytes(dataResult.storedBytes)} in ${seconds.toFixed(1)} s` +
      `${summary ? `, ${summary.entries} entries` : ''}${opened.rowCounts ? `, ${Object.keys(opened.rowCounts).length} tables` : ''}` +
      `${opened.databaseRowCounts ? `, ${Object.keys(opened.databaseRowCounts).length} databases` : ''}`,
  );
  return {
    name,
    kind: spec.kind,
    origin: { hostId: target.host.id, hostName: target.host.name, ...opened.origin },
    objectKey: key,
    format: opened.format,
    compression: target.compression,
    encryption: target.encryption.kind,
    rawBytes: dataResult.rawBytes,
    storedBytes: dataResult.storedBytes,
    rawSha256: dataResult.rawSha256,
    storedSha256: dataResult.storedSha256,
    // A level counts the whole tree its dumpdirs list; the bytes of the tree are a level 0's only.
    ...(summary && plan ? { fileCount: summary.listed ?? summary.entries, ...(plan.level === 0 ? { fileBytes: summary.fileBytes } : {}) } : {}),
    ...(summary && !plan ? { fileCount: summary.entries, fileBytes: summary.fileBytes } : {}),
    ...(plan ? { incremental: { level: plan.level, chain: plan.chain, ...(summary?.treeDigest && !changed ? { treeDigest: summary.treeDigest } : {}) } } : {}),
    ...(ik && indexResult ? { indexKey: ik } : {}),
    ...(opened.rowCounts ? { rowCounts: opened.rowCounts } : {}),
    ...(opened.databaseRowCounts ? { databaseRowCounts: opened.databaseRowCounts } : {}),
    startedAt: startedAt.toISOString(),
    completedAt: ctx.now().toISOString(),
  };
}
