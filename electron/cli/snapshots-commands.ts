/**
 * `hindsight snapshots --repo R [--set S] [--as-of "<date>"] [--from D --to D] [--show ID] [--tz ZONE] [--json]`:
 * list a repository's snapshots by date, pick "as of" a date (per set and per source), or print
 * one manifest. Dates: ISO or natural language ("1 hour ago", "yesterday 18:00", "last friday").
 *
 * Exit codes: 0 ok (an empty list too), 1 usage or internal error (a date it cannot read, an
 * unknown repository), 2 the repository could not be read, or nothing is there as of the date.
 */
import { RpcError, type AsOfResult, type Client, type Manifest, type SnapshotRefView } from '../../shared/contract/index.js';
import { EXIT, type Output } from './hosts-commands.js';
import { formatTable } from './table.js';

export interface SnapshotsOptions {
  repo?: string;
  set?: string;
  asOf?: string;
  from?: string;
  to?: string;
  show?: string;
  tz?: string;
  json?: boolean;
}

const usageCodes = new Set(['INVALID_INPUT', 'NOT_FOUND', 'CONTRACT_MISMATCH']);

export async function snapshotsCommand(client: Client, output: Output, o: SnapshotsOptions): Promise<number> {
  if (!o.repo) throw new RpcError('INVALID_INPUT', 'Which repository? Give --repo <name>.');
  if (o.asOf && (o.from || o.to)) throw new RpcError('INVALID_INPUT', 'Give either --as-of or --from/--to, not both.');
  const repositoryId = o.repo;
  const tz = o.tz ? { timeZone: o.tz } : {};
  try {
    if (o.show) {
      const manifest = await client.snapshots.get({ repositoryId, id: o.show });
      output.out(o.json ? JSON.stringify(manifest, null, 2) : describeManifest(manifest));
      return EXIT.ok;
    }
    if (o.asOf) {
      const r = await client.snapshots.asOf({ repositoryId, when: o.asOf, ...(o.set ? { set: o.set } : {}), ...tz });
      output.out(o.json ? JSON.stringify(r, null, 2) : describeAsOf(r));
      return r.sets.length ? EXIT.ok : EXIT.checkFailed;
    }
    const list = await client.snapshots.list({ repositoryId, ...(o.set ? { set: o.set } : {}), ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}), ...tz });
    output.out(o.json ? JSON.stringify(list, null, 2) : describeList(list));
    return EXIT.ok;
  } catch (e) {
    if (RpcError.is(e) && usageCodes.has(e.code)) throw e;
    const shape = RpcError.is(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: String(e) };
    if (o.json) output.out(JSON.stringify({ ok: false, ...shape }, null, 2));
    else output.err(`hindsight: ${shape.message} (${shape.code})`);
    return EXIT.checkFailed;
  }
}

export function describeList(list: SnapshotRefView[]): string {
  if (!list.length) return 'No snapshots in that period.';
  return formatTable(
    ['ID', 'SET', 'TAKEN (UTC)'],
    list.map((r) => [r.id, r.set, r.time.replace('T', ' ').replace('.000Z', 'Z')]),
  );
}

export function describeAsOf(r: AsOfResult): string {
  const lines = [`as of ${r.interpretation}`];
  if (!r.sets.length) lines.push('No snapshot at or before that date.');
  for (const s of r.sets) {
    lines.push(`set ${s.set}: ${s.snapshot.id}`);
    for (const p of s.sources) lines.push(`  ${p.source.padEnd(24)} ${p.snapshotId}  (copied ${p.startedAt})`);
    for (const m of s.missing) lines.push(`  ${m.padEnd(24)} (no snapshot holds it)`);
    for (const w of s.warnings) lines.push(`  warning: ${w}`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export function describeManifest(m: Manifest): string {
  const rows = m.sources.map((s) => [
    s.name,
    s.kind,
    s.objectKey,
    String(s.storedBytes),
    s.fileCount !== undefined
      ? `${s.fileCount} entries`
      : s.rowCounts
        ? Object.entries(s.rowCounts)
            .map(([t, n]) => `${t}=${n}`)
            .join(' ')
        : s.databaseRowCounts
          ? Object.entries(s.databaseRowCounts)
              .map(([db, counts]) => `${db}: ${Object.keys(counts).length} tables`)
              .join(', ')
          : '-',
  ]);
  return [
    `snapshot ${m.id} — set ${m.set}, host ${m.sourceHost.name}, ${m.startedAt} → ${m.completedAt}${m.note ? `, note: ${m.note}` : ''}`,
    formatTable(['SOURCE', 'KIND', 'OBJECT', 'BYTES', 'CONTENT'], rows),
  ].join('\n');
}

/** Adds `hindsight snapshots …` to the program; `run` opens a session and records the exit code. */
export function registerSnapshotsCommands(
  program: import('commander').Command,
  run: (fn: (client: Client) => Promise<number>) => Promise<void>,
  output: Output,
): void {
  program
    .command('snapshots')
    .description('list the snapshots of a repository by date, or pick them "as of" a date')
    .option('--repo <repository>', 'the repository (name or id)')
    .option('--set <name>', 'only this backup set')
    .option('--as-of <date>', 'the newest snapshot at or before: ISO, "1 hour ago", "yesterday 18:00", "last friday"')
    .option('--from <date>', 'start of the period (a day alone: its start)')
    .option('--to <date>', 'end of the period (a day alone: its end; default now)')
    .option('--show <snapshot-id>', 'print one snapshot\'s manifest')
    .option('--tz <zone>', 'IANA time zone for dates without an offset (default: this machine\'s)')
    .option('--json', 'print JSON')
    .action(async (options: SnapshotsOptions) => run((c) => snapshotsCommand(c, output, options)));
}
