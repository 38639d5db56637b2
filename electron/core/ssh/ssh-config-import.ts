/**
 * `hosts.importSshConfig`: turn the entries of an OpenSSH client config (~/.ssh/config) into
 * ready-to-add host candidates. Each concrete `Host` alias becomes one candidate (wildcard
 * patterns only supply defaults). HostName/Port/User/IdentityFile map to the connection;
 * without an IdentityFile the candidate uses ssh-agent. A single-hop ProxyJump becomes the jump
 * host (resolved through its own entry when it names one); multi-hop chains cannot be expressed
 * in a Host and such entries are left out rather than imported wrong. `Match exec` is never run.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { RpcError } from '../../../shared/contract/errors.js';
import type { HostRole, SshEndpoint } from '../../../shared/contract/hosts.js';
import { expandHome } from '../config/paths.js';

export interface ImportCandidate {
  alias: string;
  name: string;
  role: HostRole;
  protected: boolean;
  connection: SshEndpoint & { type: 'ssh'; remoteSocket: string; jump?: SshEndpoint };
}

export interface ImportEnv {
  home: string;
  localUser: string;
}

const defaultEnv = (): ImportEnv => ({ home: os.homedir(), localUser: os.userInfo().username });

export async function importSshConfig(file: string | undefined, env: ImportEnv = defaultEnv()): Promise<ImportCandidate[]> {
  const configPath = file ? expandHome(file, env.home) : path.join(env.home, '.ssh', 'config');
  let text: string;
  try {
    text = await fs.readFile(configPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!file) return []; // no ~/.ssh/config: simply nothing to import
      throw new RpcError('NOT_FOUND', `There is no SSH config file at ${configPath}.`);
    }
    throw new RpcError('INTERNAL', `The SSH config file ${configPath} cannot be read.`, (e as Error).message);
  }
  return candidatesFrom(text, env);
}

/** Pure part, for tests: config text → candidates. */
export function candidatesFrom(text: string, env: ImportEnv): ImportCandidate[] {
  const config = SSHConfig.parse(text);
  const aliases = concreteAliases(config);
  const known = new Set(aliases);
  const out: ImportCandidate[] = [];
  const usedNames = new Set<string>();
  const seenEndpoints = new Set<string>();
  for (const alias of aliases) {
    const c = compute(config, alias);
    const endpoint = endpointOf(alias, c, env);
    // "Host prod production" names one machine twice: offer it once, under its first alias.
    const key = `${endpoint.user}@${endpoint.address.toLowerCase()}:${endpoint.port}`;
    if (seenEndpoints.has(key)) continue;
    seenEndpoints.add(key);
    const proxy = first(c.proxyjump);
    let jump: SshEndpoint | undefined;
    if (proxy && proxy.toLowerCase() !== 'none') {
      if (proxy.includes(',')) continue; // multi-hop: not representable
      const hop = parseJumpSpec(proxy);
      if (known.has(hop.host)) {
        const jc = compute(config, hop.host);
        const base = endpointOf(hop.host, jc, env);
        jump = { ...base, ...(hop.user ? { user: hop.user } : {}), ...(hop.port ? { port: hop.port } : {}) };
      } else {
        jump = { address: hop.host, port: hop.port ?? 22, user: hop.user ?? env.localUser, auth: { type: 'agent' } };
      }
    }
    const name = uniqueName(hostNameOf(alias), usedNames);
    out.push({
      alias,
      name,
      role: 'other',
      protected: false,
      connection: { type: 'ssh', ...endpoint, remoteSocket: '/var/run/docker.sock', ...(jump ? { jump } : {}) },
    });
  }
  return out;
}

type Computed = Record<string, string | string[] | undefined>;

function compute(config: SSHConfig, alias: string): Computed {
  return config.compute(alias, { ignoreCase: true, matchExec: false }) as Computed;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Aliases named by Host lines, in file order, without patterns (`*`, `?`, `!`). */
function concreteAliases(config: SSHConfig): string[] {
  const seen = new Set<string>();
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const values = typeof line.value === 'string' ? line.value.split(/\s+/) : line.value.map((v) => v.val);
    for (const v of values) if (v && !/[*?!]/.test(v)) seen.add(v);
  }
  return [...seen];
}

function endpointOf(alias: string, c: Computed, env: ImportEnv): SshEndpoint {
  const user = first(c.user) ?? env.localUser;
  const tokens = (s: string) =>
    s.replace(/%(.)/g, (m, t: string) =>
      t === 'h' ? (first(c.hostname) ?? alias) : t === 'd' ? env.home : t === 'u' ? env.localUser : t === 'r' ? user : t === '%' ? '%' : m,
    );
  const hostName = first(c.hostname);
  const address = hostName ? hostName.replace(/%h/g, alias).replace(/%%/g, '%') : alias;
  const port = Number(first(c.port) ?? 22);
  const identity = first(c.identityfile);
  return {
    address,
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 22,
    user,
    auth: identity ? { type: 'key', keyPath: expandHome(tokens(identity), env.home) } : { type: 'agent' },
  };
}

/** ProxyJump syntax: [user@]host[:port] (or an ssh:// URI). */
export function parseJumpSpec(spec: string): { host: string; user?: string; port?: number } {
  const s = spec.replace(/^ssh:\/\//, '');
  const at = s.lastIndexOf('@');
  const user = at >= 0 ? s.slice(0, at) : undefined;
  let rest = at >= 0 ? s.slice(at + 1) : s;
  let port: number | undefined;
  const bracket = /^\[(.+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    rest = bracket[1]!;
    if (bracket[2]) port = Number(bracket[2]);
  } else {
    const m = /^([^:]+):(\d+)$/.exec(rest);
    if (m) {
      rest = m[1]!;
      port = Number(m[2]);
    }
  }
  return { host: rest, ...(user ? { user } : {}), ...(port ? { port } : {}) };
}

/** A Host name the contract accepts: letters, digits, ".", "_" or "-", starting alphanumeric. */
function hostNameOf(alias: string): string {
  const cleaned = alias.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'host').slice(0, 64);
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let i = 2; used.has(candidate.toLowerCase()); i++) candidate = `${name.slice(0, 60)}-${i}`;
  used.add(candidate.toLowerCase());
  return candidate;
}
