/** `hindsight hosts list` and `hindsight hosts check <name>`, over the typed client. */
import { RpcError, type CheckResult, type Host, type HostKeyInfo } from '../../shared/contract/index.js';
import type { Client } from '../../shared/contract/index.js';
import { formatTable } from './table.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 fine, 1 usage or internal error, 2 the connection check failed. */
export const EXIT = { ok: 0, error: 1, checkFailed: 2 } as const;

export function describeAddress(host: Host): string {
  const c = host.connection;
  if (c.type === 'local') return `local ${c.socketPath}`;
  const target = `${c.user}@${c.address}${c.port === 22 ? '' : `:${c.port}`}`;
  return c.jump ? `${target} via ${c.jump.user}@${c.jump.address}` : target;
}

export async function listHosts(client: Client, output: Output, json: boolean): Promise<number> {
  const hosts = await client.hosts.list();
  if (json) {
    output.out(JSON.stringify(hosts, null, 2));
    return EXIT.ok;
  }
  if (hosts.length === 0) {
    output.out('No hosts yet. Add one in the app.');
    return EXIT.ok;
  }
  const rows = hosts.map((h) => [h.name, h.role, h.protected ? 'yes' : 'no', describeAddress(h), h.hasPassphrase ? 'stored' : '-']);
  output.out(formatTable(['NAME', 'ROLE', 'PROTECTED', 'ADDRESS', 'PASSPHRASE'], rows));
  return EXIT.ok;
}

export async function checkHost(client: Client, output: Output, name: string, json: boolean): Promise<number> {
  const hosts = await client.hosts.list();
  const host = hosts.find((h) => h.name === name) ?? hosts.find((h) => h.id === name);
  if (!host) {
    const known = hosts.map((h) => h.name).join(', ') || 'none';
    throw new RpcError('NOT_FOUND', `No host named "${name}" (known: ${known})`);
  }
  const result = await client.hosts.check({ id: host.id });
  if (json) output.out(JSON.stringify({ host: host.name, ...result }, null, 2));
  else output.out(describeCheck(host.name, result));
  return result.ok ? EXIT.ok : EXIT.checkFailed;
}

export function describeCheck(name: string, result: CheckResult): string {
  if (result.ok) {
    return `${name}: OK — Docker ${result.dockerVersion} (API ${result.apiVersion}, ${result.os}), ${Math.round(result.latencyMs)} ms`;
  }
  return describeFailedCheck(name, result);
}

/** A failed connection check (host or repository): the step that failed and, for a host key, what to do. */
export function describeFailedCheck(
  name: string,
  failure: { step: string; code: string; message: string; hostKey?: HostKeyInfo & { status: 'unknown' | 'changed' } },
): string {
  const lines = [`${name}: FAILED at step "${failure.step}" (${failure.code}): ${failure.message}`];
  if (failure.hostKey) {
    const k = failure.hostKey;
    lines.push(
      k.status === 'unknown'
        ? `  Unknown host key for ${k.hostPattern}: ${k.keyType} ${k.fingerprint}. Check it, then accept it in the app.`
        : `  The host key of ${k.hostPattern} CHANGED: now ${k.keyType} ${k.fingerprint}. Refused; find out why before trusting it.`,
    );
  }
  return lines.join('\n');
}
