import type { CheckResult, CheckStep, HostConnection } from '../../shared/contract/index.js';

export const STEP_LABEL: Record<CheckStep, string> = {
  config: 'Settings',
  lookup: 'Name lookup',
  tcp: 'TCP connection',
  hostkey: 'Host key',
  auth: 'Login',
  socket: 'Docker socket',
  docker: 'Docker engine',
};

/** The steps a check walks through, in order, for each kind of connection. */
export function stepsFor(type: 'ssh' | 'local'): CheckStep[] {
  return type === 'ssh' ? ['lookup', 'tcp', 'hostkey', 'auth', 'socket', 'docker'] : ['socket', 'docker'];
}

export interface Target {
  address?: string;
  port?: number;
  user?: string;
  socketPath?: string;
}

export function targetOf(c: HostConnection): Target {
  return c.type === 'ssh' ? { address: c.address, port: c.port, user: c.user } : { socketPath: c.socketPath };
}

/** Plain words for a failed step: a title saying what broke and a line saying what to try. */
export function explainFailure(r: Extract<CheckResult, { ok: false }>, t: Target): { title: string; advice: string } {
  const where = t.address ? `${t.address}${t.port ? `:${t.port}` : ''}` : (t.socketPath ?? 'the host');
  switch (r.step) {
    case 'config':
      return { title: 'The connection settings are not usable', advice: 'Check the fields above; the details say which one.' };
    case 'lookup':
      return { title: `Could not find "${t.address ?? 'the host'}"`, advice: 'The name does not resolve. Check the spelling, or enter the IP address instead.' };
    case 'tcp':
      return {
        title: `Could not connect to ${where}`,
        advice: 'Nothing accepted the connection on that address and port. Check both, that the SSH server is running, and that no firewall is in the way.',
      };
    case 'hostkey':
      return r.hostKey?.status === 'changed'
        ? { title: 'The host key has changed — connection refused', advice: 'See below.' }
        : { title: 'The host key is not trusted yet', advice: 'Compare the fingerprint and trust it to continue.' };
    case 'auth':
      return {
        title: `The server refused the login${t.user ? ` for "${t.user}"` : ''}`,
        advice: 'Check the user name and the key file. If the key has a passphrase, enter it; with ssh-agent, check the key is loaded (ssh-add -l).',
      };
    case 'socket':
      if (t.socketPath) {
        return {
          title: `Could not reach Docker at ${t.socketPath}`,
          advice: 'Nothing answers at that path, or this user may not use it. Check that Docker is running and that you are in the "docker" group.',
        };
      }
      return {
        title: 'Logged in, but could not reach Docker',
        advice: `The Docker socket is missing, or ${t.user ? `"${t.user}"` : 'this user'} may not use it. On that machine, check that Docker is running and that the user is in the "docker" group. If the engine listens elsewhere than /var/run/docker.sock, set the path under Advanced.`,
      };
    case 'docker':
      return { title: 'Docker answered with an error', advice: 'The engine is reachable but refused the request; the details have its own words.' };
  }
}
