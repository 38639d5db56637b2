/**
 * `hindsight pitr enable|status|disable --host H --postgres C --repo R`: continuous archiving of a
 * PostgreSQL container's cluster by the host's agent (docs/pitr.md); `hindsight restore --as-of …
 * --set S` recovers through it when the set's PostgreSQL has an archive whose window holds the time
 * (restore-commands.ts asks `pitrRestoreFor`). Exit codes as restore's.
 */
import type { Command } from 'commander';
import { RpcError } from '../../shared/contract/errors.js';
import type { PitrRestoreInput, PitrRestoreResult, PitrStatus } from '../../shared/contract/pitr.js';
import type { Client } from '../../shared/contract/index.js';
import type { RpcClient } from '../../shared/rpc/index.js';
import { parseAsOf } from '../../shared/as-of.js';
import { followTask, reportTaskFailure, taskFailedCode, type TaskRunDeps } from './backup-commands.js';
import { EXIT, type Output } from './hosts-commands.js';
import { formatTable } from './table.js';

interface PitrOptions {
  host: string;
  postgres: string;
  repo: string;
  baseEvery?: string;
  keepBases?: string;
  json?: boolean;
}

async function named(c: RpcClient, host: string | undefined, repo: string) {
  const repos = await c.repositories.list();
  const r = repos.find((x) => x.name === repo) ?? repos.find((x) => x.id === repo);
  if (!r) throw new RpcError('NOT_FOUND', `No repository named "${repo}" (known: ${repos.map((x) => x.name).join(', ')}).`);
  if (host === undefined) return { repositoryId: r.id, hostId: '', hostName: '' };
  const hosts = await c.hosts.list();
  const h = hosts.find((x) => x.name === host) ?? hosts.find((x) => x.id === host);
  if (!h) throw new RpcError('NOT_FOUND', `No host named "${host}" (known: ${hosts.map((x) => x.name).join(', ')}).`);
  return { repositoryId: r.id, hostId: h.id, hostName: h.name };
}

const GiB = 1024 ** 3;
const size = (n: number) => (n >= GiB ? `${(n / GiB).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

export function describePitr(s: PitrStatus): string {
  const lines: string[] = [];
  if (!s.jobs.length && !s.clusters.length) return 'No point-in-time archive in this repository (hindsight pitr enable --host H --postgres C --repo R).';
  for (const j of s.jobs) {
    const last = j.last ? `${j.last.result} at ${j.last.at}${j.last.error ? `: ${j.last.error}` : ''}${j.last.retainedBytes !== undefined ? `; slot retains ${size(j.last.retainedBytes)}` : ''}` : 'no step reported yet';
    lines.push(`archiving ${j.container} (host ${j.hostId}, new base backup every ${j.baseEveryDays} d, ${j.keepBases} kept): last step ${last}`);
  }
  if (s.clusters.length) {
    lines.push(
      formatTable(
        ['CLUSTER', 'HOST', 'CONTAINER', 'PG', 'BASES', 'SEGMENTS', 'STORED', 'RECOVERABLE WINDOW (newest first)'],
        s.clusters.map((c) => [c.cluster, c.hostName, c.container, c.serverVersion.slice(0, -4), String(c.bases), String(c.segments), size(c.storedBytes), c.windows.map((w) => `${w.from} … ${w.to}`).join('; ') || 'none yet']),
      ),
    );
  }
  for (const c of s.clusters) for (const p of c.problems) lines.push(`warning: cluster ${c.cluster}: ${p}`);
  return lines.join('\n');
}

export function describePitrRestore(r: PitrRestoreResult): string {
  return [
    `Recover cluster ${r.cluster} to ${r.at} onto ${r.target} (data volume ${r.dataVolume}): base backup ${r.baseId} and ${r.segments} WAL segment(s), ${size(r.bytes)} stored; window ${r.window.from} … ${r.window.to}.`,
    'By hand (object paths relative to the repository root):',
    ...r.commands.map((c) => `  $ ${c}`),
    ...(r.done ? [`Recovered: replay ended at ${r.done.replayedTo}; what ${r.target} held before is kept in volume ${r.done.safetyVolume} for the safety retention.`] : []),
    ...(r.operationId ? [`Operation ${r.operationId} (in hindsight operations and its audit log).`] : []),
  ].join('\n');
}

/**
 * `restore --as-of T --set S`: the point-in-time recovery that serves it, when the set's PostgreSQL
 * container has an archive in the repository whose window holds T; undefined otherwise (the
 * snapshot as-of applies).
 */
export async function pitrRestoreFor(
  c: Client,
  x: { repositoryId: string; set: string; asOf: string; targetHostId: string; map: Record<string, string>; confirm?: string | undefined; dryRun: boolean },
): Promise<{ input: PitrRestoreInput; interpretation: string } | undefined> {
  const set = (await c.backupSets.list()).find((s) => s.name === x.set || s.id === x.set);
  if (!set) return undefined;
  const containers = set.sources.flatMap((s) => (s.kind === 'postgres' ? [s.container] : []));
  if (!containers.length) return undefined;
  const { at, interpretation } = parseAsOf(x.asOf, { now: new Date() });
  const status = await c.pitr.status({ repositoryId: x.repositoryId });
  const cluster = status.clusters.find((k) => k.hostId === set.hostId && containers.includes(k.container) && k.windows.some((w) => w.from <= at.toISOString() && at.toISOString() <= w.to));
  if (!cluster) return undefined;
  return {
    interpretation,
    input: { repositoryId: x.repositoryId, cluster: cluster.cluster, at: at.toISOString(), targetHostId: x.targetHostId, target: x.map[cluster.container] ?? cluster.container, dryRun: x.dryRun, ...(x.confirm ? { confirm: x.confirm } : {}) },
  };
}

export function registerPitrCommands(program: Command, run: (fn: (client: RpcClient) => Promise<number>) => Promise<void>, output: Output, taskDeps: () => TaskRunDeps): void {
  const pitr = program.command('pitr').description("PostgreSQL point-in-time recovery: the host's agent archives a container's WAL continuously");
  const ref = (cmd: Command) => cmd.requiredOption('--host <name>', 'the host of the PostgreSQL container').requiredOption('--postgres <container>', 'the PostgreSQL container').requiredOption('--repo <name>', 'the repository (S3 or SFTP: the agent writes to it)').option('--json', 'print JSON');
  ref(pitr.command('enable').description('start archiving: a replication slot, pg_receivewal in the container, a base backup now and every --base-every days'))
    .option('--base-every <days>', 'a new base backup after this many days (default 7)')
    .option('--keep-bases <n>', 'base backups kept, with the WAL from the oldest one on (default 2): the window reaches back that far')
    .action(async (o: PitrOptions) =>
      run(async (c) => {
        const { repositoryId, hostId, hostName } = await named(c, o.host, o.repo);
        const days = o.baseEvery === undefined ? 7 : Number(o.baseEvery.replace(/d$/, ''));
        if (!Number.isInteger(days) || days < 1 || days > 365) throw new RpcError('INVALID_INPUT', `--base-every takes a number of days from 1 to 365, not "${o.baseEvery}".`);
        const keep = o.keepBases === undefined ? 2 : Number(o.keepBases);
        if (!Number.isInteger(keep) || keep < 1 || keep > 100) throw new RpcError('INVALID_INPUT', `--keep-bases takes a number from 1 to 100, not "${o.keepBases}".`);
        const outcome = await followTask(c, taskDeps(), () => c.pitr.enable({ hostId, container: o.postgres, repositoryId, baseEveryDays: days, keepBases: keep }));
        if (!outcome.ok) return reportTaskFailure(output, outcome, `pitr enable on ${hostName}`, o.json, taskFailedCode(outcome));
        const r = outcome.result;
        output.out(o.json ? JSON.stringify(r) : `Archiving ${o.postgres} on ${hostName} into ${o.repo}: cluster ${r.cluster}${r.baseId ? `, base backup ${r.baseId}` : ''}, ${r.shipped ?? 0} segment(s) shipped. The agent takes a step every minute.`);
        return EXIT.ok;
      }),
    );
  ref(pitr.command('disable').description('stop archiving: the receiver stopped, the slot dropped (the archive stays in the repository)')).action(async (o: PitrOptions) =>
    run(async (c) => {
      const { repositoryId, hostId, hostName } = await named(c, o.host, o.repo);
      const outcome = await followTask(c, taskDeps(), () => c.pitr.disable({ hostId, container: o.postgres, repositoryId }));
      if (!outcome.ok) return reportTaskFailure(output, outcome, `pitr disable on ${hostName}`, o.json, taskFailedCode(outcome));
      output.out(o.json ? JSON.stringify(outcome.result) : `Stopped archiving ${o.postgres} on ${hostName}${outcome.result.slotDropped ? ' (replication slot dropped)' : ''}; the archive stays in ${o.repo}.`);
      return EXIT.ok;
    }),
  );
  pitr
    .command('status')
    .description('the archived clusters of a repository with their recoverable windows, and the jobs archiving into it')
    .requiredOption('--repo <name>', 'the repository')
    .option('--json', 'print JSON')
    .action(async (o: { repo: string; json?: boolean }) =>
      run(async (c) => {
        const { repositoryId } = await named(c, undefined, o.repo);
        const s = await c.pitr.status({ repositoryId });
        output.out(o.json ? JSON.stringify(s, null, 2) : describePitr(s));
        return EXIT.ok;
      }),
    );
}
