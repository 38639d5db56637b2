/**
 * Telling people about plan runs (shared/notify-targets.ts says what each entry is):
 *  - webhook: a JSON POST at the end of every run, failed attempts included;
 *  - Slack: a message at the end of a run that succeeded, or failed for good (retries spent) — a
 *    channel should not fill with failures that the next retry repairs;
 *  - ping (healthchecks.io style): GET <url>/start when a run starts, <url> on success,
 *    <url>/fail when it failed for good; a run that never pings is what the ping service alarms on.
 * A notification never fails a run: errors are logged (without the URL's path, which often holds
 * the token) and the run goes on. Each request is bounded by a timeout.
 */
import { parseNotifyTarget, type NotifyTarget } from '../../../shared/notify-targets.js';
import { createLogger } from '../log.js';

const log = createLogger('notify');

export interface RunNotice {
  phase: 'start' | 'end';
  plan: string;
  host: string;
  runner: string;
  trigger: string;
  attempt: number;
  /** No retry will follow (it succeeded, or retries are spent, or it ran by hand). */
  final: boolean;
  startedAt: string;
  endedAt?: string;
  result?: 'succeeded' | 'failed';
  snapshotId?: string;
  deleted?: string[];
  error?: string;
}

export type Fetch = (url: string, init: { method: string; headers?: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<{ ok: boolean; status: number }>;

function slackText(n: RunNotice): string {
  if (n.result === 'succeeded') return `:white_check_mark: Hindsight: plan *${n.plan}* on ${n.host} backed up (snapshot ${n.snapshotId ?? '?'}).`;
  return `:x: Hindsight: plan *${n.plan}* on ${n.host} FAILED after ${n.attempt} attempt(s): ${n.error ?? 'unknown error'}`;
}

/** The request for one target, or null when this target is not told of this notice. */
export function requestFor(t: NotifyTarget, n: RunNotice): { url: string; method: string; body?: string } | null {
  const base = t.url.replace(/\/+$/, '');
  switch (t.kind) {
    case 'webhook':
      return n.phase === 'end' ? { url: t.url, method: 'POST', body: JSON.stringify({ event: 'hindsight.plan.run', ...n }) } : null;
    case 'slack':
      return n.phase === 'end' && n.final ? { url: t.url, method: 'POST', body: JSON.stringify({ text: slackText(n) }) } : null;
    case 'ping':
      if (n.phase === 'start') return { url: `${base}/start`, method: 'GET' };
      if (n.result === 'succeeded') return { url: t.url, method: 'GET' };
      return n.final ? { url: `${base}/fail`, method: 'GET' } : null;
  }
}

export async function notifyRun(entries: string[], notice: RunNotice, opts: { fetch?: Fetch; timeoutMs?: number } = {}): Promise<void> {
  const doFetch: Fetch = opts.fetch ?? ((url, init) => fetch(url, init));
  await Promise.all(
    entries.map(async (entry) => {
      const target = parseNotifyTarget(entry);
      if (typeof target === 'string') return log.warn(`plan ${notice.plan}: skipping a notification target: ${target}`);
      const req = requestFor(target, notice);
      if (!req) return;
      const where = `${target.kind} ${new URL(target.url).origin}`;
      try {
        const res = await doFetch(req.url, {
          method: req.method,
          ...(req.body ? { headers: { 'content-type': 'application/json' }, body: req.body } : {}),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
        if (!res.ok) log.warn(`plan ${notice.plan}: ${where} answered HTTP ${res.status}`);
      } catch (e) {
        log.warn(`plan ${notice.plan}: could not notify ${where}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
}
