/**
 * What a plan's `notify` entry means. An entry is a URL, optionally prefixed with its kind:
 *   webhook:https://…   a JSON POST of the run (the default for any other URL)
 *   slack:https://…     a Slack incoming webhook ({"text": …}); hooks.slack.com is recognised
 *   ping:https://…      healthchecks-style: GET <url>/start, <url> on success, <url>/fail on failure;
 *                       hc-ping.com is recognised
 * Pure: shared by the contract (validation), the CLI and the notifier.
 */
export type NotifyKind = 'webhook' | 'slack' | 'ping';

export interface NotifyTarget {
  kind: NotifyKind;
  url: string;
}

const PREFIX = /^(webhook|slack|ping):(?=https?:\/\/)/i;

/** The target of an entry, or a sentence saying why it is not one. */
export function parseNotifyTarget(entry: string): NotifyTarget | string {
  const m = PREFIX.exec(entry.trim());
  const rest = m ? entry.trim().slice(m[0].length) : entry.trim();
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    return `"${entry}" is not a URL (write https://…, optionally after webhook:, slack: or ping:).`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${entry}": only http and https URLs can be notified.`;
  if (url.username || url.password) return `"${entry}": put no user or password in the URL (it would be shown wherever plans are listed).`;
  const kind: NotifyKind = m
    ? (m[1]!.toLowerCase() as NotifyKind)
    : url.hostname === 'hooks.slack.com'
      ? 'slack'
      : url.hostname === 'hc-ping.com' || url.hostname.endsWith('.hc-ping.com')
        ? 'ping'
        : 'webhook';
  return { kind, url: url.toString() };
}

/** An entry's URL without its path and query (which often carry the secret token), for display. */
export function describeNotifyTarget(entry: string): string {
  const t = parseNotifyTarget(entry);
  if (typeof t === 'string') return 'invalid';
  return `${t.kind} ${new URL(t.url).origin}/…`;
}
