/**
 * The confirm step's one paragraph, in plain words:
 * "Replace volume `shop_files` on uat with production's backup of Sat 21 Nov 18:00; stop 2
 * containers; about 1 min." Pure (locale and zone are parameters) so it is unit-tested.
 */
import type { RestorePlan } from '../../shared/contract/index.js';
import { listWords } from '../app/format';

/** "Sat 21 Nov 18:00" in the user's locale and zone. */
export function formatBackupDate(iso: string, locale?: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const opts = { ...(timeZone ? { timeZone } : {}) };
  const day = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', ...opts }).format(d);
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...opts }).format(d);
  return `${day.replace(/,/g, '')} ${time}`;
}

/** "about 1 min", "about 14 min", "about 2 h 5 min"; never "0 min". */
export function formatEstimate(seconds: number): string {
  const min = Math.max(1, Math.round(seconds / 60));
  if (min < 60) return `about ${min} min`;
  const h = Math.floor(min / 60);
  const m = min % 60;
  return m ? `about ${h} h ${m} min` : `about ${h} h`;
}

/** "1 min 5 s", "12 s" — a measured time. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
}

const KIND_WORDS: Record<string, string> = { postgres: 'PostgreSQL', mariadb: 'MariaDB', mongo: 'MongoDB' };

export interface SummaryFacts {
  plan: RestorePlan;
  /** The host the snapshot was taken on. */
  sourceHostName: string;
  /** When the backup was taken (ISO). */
  takenAt: string;
  locale?: string;
  timeZone?: string;
}

export function restoreSummary({ plan, sourceHostName, takenAt, locale, timeZone }: SummaryFacts): string {
  // Consecutive targets with the same verb share it: "replace volume `a` and the PostgreSQL databases in `b`".
  let lastVerb = '';
  const what = plan.targets.map((t) => {
    const verb = t.targetKind === 'volume' && t.create ? 'create' : 'replace';
    const object =
      t.targetKind === 'volume'
        ? `volume \`${t.target}\``
        : t.kind === 'directory'
          ? `the directory \`${t.path ?? '?'}\` in container \`${t.target}\``
          : `the ${KIND_WORDS[t.kind] ?? t.kind} databases in container \`${t.target}\``;
    const words = verb === lastVerb ? object : `${verb} ${object}`;
    lastVerb = verb;
    return words;
  });
  const stopped = new Set(plan.targets.flatMap((t) => t.users.filter((u) => u.state === 'running').map((u) => u.name)));
  const head = listWords(what);
  const parts = [
    `${head.charAt(0).toUpperCase()}${head.slice(1)} on ${plan.targetHost.name} with ${sourceHostName}'s backup of ${formatBackupDate(takenAt, locale, timeZone).replace(/ /g, '\u00a0')}`,
    stopped.size ? `stop ${stopped.size} container${stopped.size === 1 ? '' : 's'}` : 'no containers to stop',
    formatEstimate(plan.estimatedSeconds),
  ];
  return `${parts.join('; ')}.`;
}
