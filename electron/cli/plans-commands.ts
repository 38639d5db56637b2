/**
 * `hindsight plans add|list|show|pause|resume|remove` and `hindsight prune --plan P [--dry-run]`,
 * over the typed client like every command. Exit codes: 0 done, 1 usage or unknown name.
 */
import type { Command } from 'commander';
import type { PlanInput, PlanView, PruneResult } from '../../shared/contract/plans.js';
import type { RpcClient } from '../../shared/rpc/index.js';
import { backupInputOf, collect, followTask, withSourceOptions, reportTaskFailure, taskFailedCode, type BackupOptions, type TaskRunDeps } from './backup-commands.js';
import { EXIT, type Output } from './hosts-commands.js';
import { formatTable } from './table.js';

type Client = RpcClient;

export interface PlanAddOptions extends BackupOptions {
  schedule: string;
  tz?: string;
  keepLast?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
  keepYearly?: string;
  drill?: string;
  drillHost?: string;
  notify?: string[];
  retries?: string;
  catchUp?: string;
}

const count = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} takes a whole number, not "${v}".`);
  return n;
};

/** The plans.add input for the command line (sources as for an ad-hoc backup). */
export function planInputOf(name: string, o: PlanAddOptions): PlanInput {
  const adhoc = backupInputOf(undefined, o);
  if ('setId' in adhoc) throw new Error('A plan needs --host, --repo and sources.');
  if (o.drill && !o.drillHost) throw new Error('--drill needs --drill-host (where the snapshot is verified).');
  const retention = Object.fromEntries(
    (
      [
        ['keepLast', o.keepLast, '--keep-last'],
        ['keepHourly', o.keepHourly, '--keep-hourly'],
        ['keepDaily', o.keepDaily, '--keep-daily'],
        ['keepWeekly', o.keepWeekly, '--keep-weekly'],
        ['keepMonthly', o.keepMonthly, '--keep-monthly'],
        ['keepYearly', o.keepYearly, '--keep-yearly'],
      ] as const
    )
      .map(([k, v, flag]) => [k, count(v, flag)] as const)
      .filter(([, v]) => v !== undefined),
  );
  return {
    name,
    hostId: adhoc.hostId,
    repositoryId: adhoc.repositoryId,
    sources: adhoc.sources,
    schedule: { cron: o.schedule, timeZone: o.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone },
    retention,
    ...(o.drill ? { drill: { cron: o.drill, hostId: o.drillHost! } } : {}),
    notify: o.notify ?? [],
    ...(o.retries !== undefined ? { retries: count(o.retries, '--retries') } : {}),
    ...(o.catchUp !== undefined ? { catchUpHours: count(o.catchUp, '--catch-up') } : {}),
  };
}

const retentionWords = (p: PlanView) =>
  Object.entries(p.retention)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.replace(/^keep/, '').toLowerCase()} ${v}`)
    .join(', ') || 'keep all';

function describePlan(p: PlanView): string {
  return [
    `${p.name}${p.paused ? ' (paused)' : ''}`,
    `  sources:   ${p.sources.map((s) => ('volume' in s ? `volume:${s.volume}` : 'path' in s ? `dir:${s.container}:${s.path}` : `${s.kind}:${s.container}`)).join(', ')}`,
    `  schedule:  ${p.schedule.cron} (${p.schedule.timeZone}); next ${p.nextRun ?? '—'}`,
    `  retention: ${retentionWords(p)}`,
    ...(p.drill ? [`  drill:     ${p.drill.cron} on host ${p.drill.hostId}`] : []),
    ...(p.notify.length ? [`  notify:    ${p.notify.length} URL(s)`] : []),
  ].join('\n');
}

export function formatPrune(r: PruneResult): string {
  const rows = r.decisions.map((d) => [d.snapshotId, d.time, d.keep ? `keep (${d.reasons.join(', ')})` : r.dryRun ? 'delete' : 'deleted']);
  const kept = r.decisions.filter((d) => d.keep).length;
  return `${formatTable(['SNAPSHOT', 'TAKEN', 'DECISION'], rows)}\n${kept} kept, ${r.decisions.length - kept} ${r.dryRun ? 'to delete (dry run: nothing deleted)' : 'deleted'}.`;
}

export function registerPlansCommands(program: Command, run: (fn: (client: Client) => Promise<number>) => Promise<void>, output: Output, taskDeps: () => TaskRunDeps): void {
  const plans = program.command('plans').description('backup plans: a set + a schedule + retention, run by the host\'s agent');
  withSourceOptions(plans.command('add <name>').description('save a plan (its snapshots are filed under its name)'))
    .requiredOption('--host <host>', 'the host to back up')
    .requiredOption('--repo <repository>', 'the repository')
    .requiredOption('--schedule <cron>', 'five cron fields ("0 2 * * *"), "hourly" or "daily" (02:00)')
    .option('--tz <zone>', 'the time zone the schedule is read in (default: this machine\'s)')
    .option('--keep-last <n>', 'keep the n newest')
    .option('--keep-hourly <n>', 'keep the newest of each of the n last hours')
    .option('--keep-daily <n>', 'keep the newest of each of the n last days')
    .option('--keep-weekly <n>', 'keep the newest of each of the n last weeks')
    .option('--keep-monthly <n>', 'keep the newest of each of the n last months')
    .option('--keep-yearly <n>', 'keep the newest of each of the n last years')
    .option('--drill <cron>', 'verify the newest snapshot on this schedule')
    .option('--drill-host <host>', 'the host the drill verifies on')
    .option('--notify <url>', 'tell a URL of each run: webhook:URL (JSON POST), slack:URL, ping:URL (healthchecks-style); a plain URL is a webhook (repeatable)', collect)
    .option('--retries <n>', 'try a failed run again n times, after 1, 5, 15… minutes (default 3)')
    .option('--catch-up <hours>', 'run a missed run when the host is back, if at most this late (default 24)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: PlanAddOptions & { json?: boolean }) =>
      run(async (c) => {
        let input: PlanInput;
        try {
          input = planInputOf(name, o);
        } catch (e) {
          output.err(`hindsight: ${(e as Error).message}`);
          return EXIT.error;
        }
        const p = await c.plans.add(input);
        output.out(o.json ? JSON.stringify(p, null, 2) : `Saved plan ${p.name}; next run ${p.nextRun ?? '—'}.`);
        return EXIT.ok;
      }),
    );
  plans
    .command('list')
    .description('the plans, with their next run')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) =>
      run(async (c) => {
        const list = await c.plans.list();
        if (o.json) output.out(JSON.stringify(list, null, 2));
        else if (!list.length) output.out('No plans yet: hindsight plans add <name> --host H --repo R --volume V --schedule daily');
        else output.out(formatTable(['PLAN', 'SCHEDULE', 'ZONE', 'NEXT RUN', 'RETENTION'], list.map((p) => [p.name + (p.paused ? ' (paused)' : ''), p.schedule.cron, p.schedule.timeZone, p.nextRun ?? '—', retentionWords(p)])));
        return EXIT.ok;
      }),
    );
  for (const [cmd, what] of [
    ['show', 'one plan'],
    ['pause', 'stop scheduling a plan (its snapshots stay)'],
    ['resume', 'schedule a paused plan again'],
  ] as const) {
    plans
      .command(`${cmd} <plan>`)
      .description(what)
      .option('--json', 'print JSON')
      .action(async (name: string, o: { json?: boolean }) =>
        run(async (c) => {
          const p = cmd === 'show' ? await c.plans.get({ id: name }) : cmd === 'pause' ? await c.plans.pause({ id: name }) : await c.plans.resume({ id: name });
          output.out(o.json ? JSON.stringify(p, null, 2) : describePlan(p));
          return EXIT.ok;
        }),
      );
  }
  plans
    .command('run <plan>')
    .description('run a plan now (on the host\'s agent if it has one, else from this console): back up, then apply its retention; both recorded in the repository (exit 2 if it fails)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) =>
      run(async (c) => {
        const outcome = await followTask(c, taskDeps(), () => c.plans.run({ id: name }));
        if (!outcome.ok) return reportTaskFailure(output, outcome, `plan ${name}`, o.json, taskFailedCode(outcome));
        const r = outcome.result;
        output.out(o.json ? JSON.stringify({ ok: true, ...r }, null, 2) : `Plan ${name}: snapshot ${r.snapshotId}; retention deleted ${r.deleted.length} snapshot(s).`);
        return EXIT.ok;
      }),
    );
  plans
    .command('remove <plan>')
    .description('forget a plan (its snapshots stay in the repository)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) =>
      run(async (c) => {
        const r = await c.plans.remove({ id: name });
        output.out(o.json ? JSON.stringify(r) : r.removed ? `Removed plan ${name}.` : `There is no plan ${name}.`);
        return r.removed ? EXIT.ok : EXIT.error;
      }),
    );
  program
    .command('prune')
    .description("apply a plan's retention to its own snapshots: every one with the rule that keeps it, or delete")
    .requiredOption('--plan <plan>', 'the plan')
    .option('--dry-run', 'only say what would be deleted')
    .option('--json', 'print JSON')
    .action(async (o: { plan: string; dryRun?: boolean; json?: boolean }) =>
      run(async (c) => {
        const r = await c.plans.prune({ id: o.plan, dryRun: !!o.dryRun });
        output.out(o.json ? JSON.stringify(r, null, 2) : formatPrune(r));
        return EXIT.ok;
      }),
    );
}
