/**
 * The add-host form as plain strings (what the inputs hold) and its conversion to the contract's
 * HostInput. Pure, so the validation rules are unit-tested without a DOM.
 */
import type { HostInput, HostRole } from '../../shared/contract/index.js';

export interface EndpointForm {
  address: string;
  port: string;
  user: string;
  authType: 'key' | 'agent';
  keyPath: string;
}

export interface HostForm {
  name: string;
  role: HostRole;
  protected: boolean;
  /** Once the user ticks/unticks "protected" themselves, picking a role no longer changes it. */
  protectedTouched: boolean;
  type: 'ssh' | 'local';
  socketPath: string;
  ssh: EndpointForm;
  keyPassphrase: string;
  remoteSocket: string;
  useJump: boolean;
  jump: EndpointForm;
}

export type FormErrors = Partial<Record<string, string>>;

const DEFAULT_SOCKET = '/var/run/docker.sock';
const emptyEndpoint = (): EndpointForm => ({ address: '', port: '22', user: '', authType: 'key', keyPath: '' });

export function emptyForm(): HostForm {
  return {
    name: '',
    role: 'other',
    protected: false,
    protectedTouched: false,
    type: 'ssh',
    socketPath: DEFAULT_SOCKET,
    ssh: emptyEndpoint(),
    keyPassphrase: '',
    remoteSocket: DEFAULT_SOCKET,
    useJump: false,
    jump: emptyEndpoint(),
  };
}

type SshEndpointInput = { address: string; port?: number; user: string; auth: { type: 'key'; keyPath: string } | { type: 'agent' } };

function endpointForm(e: SshEndpointInput): EndpointForm {
  return {
    address: e.address,
    port: String(e.port ?? 22),
    user: e.user,
    authType: e.auth.type,
    keyPath: e.auth.type === 'key' ? e.auth.keyPath : '',
  };
}

/** Prefill from a HostInput (ssh-config import, local engine discovery). */
export function formFromInput(input: HostInput): HostForm {
  const f = emptyForm();
  f.name = input.name;
  f.role = input.role ?? 'other';
  f.protected = input.protected ?? false;
  const c = input.connection;
  if (c.type === 'local') {
    f.type = 'local';
    f.socketPath = c.socketPath ?? DEFAULT_SOCKET;
  } else {
    f.type = 'ssh';
    f.ssh = endpointForm(c);
    f.remoteSocket = c.remoteSocket ?? DEFAULT_SOCKET;
    if (c.jump) {
      f.useJump = true;
      f.jump = endpointForm(c.jump);
    }
  }
  return f;
}

/** Production machines are protected unless the user says otherwise. */
export function withRole(f: HostForm, role: HostRole): HostForm {
  return { ...f, role, protected: f.protectedTouched ? f.protected : role === 'production' };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function endpoint(e: EndpointForm, prefix: string, errors: FormErrors): SshEndpointInput {
  const port = Number(e.port);
  if (!e.address.trim()) errors[`${prefix}.address`] = 'Enter the host name or IP address.';
  if (!/^\d+$/.test(e.port.trim()) || port < 1 || port > 65535) errors[`${prefix}.port`] = 'A port is a number from 1 to 65535.';
  if (!e.user.trim()) errors[`${prefix}.user`] = 'Enter the SSH user name.';
  if (e.authType === 'key' && !e.keyPath.trim()) errors[`${prefix}.keyPath`] = 'Enter the path of the private key file, or use ssh-agent.';
  return {
    address: e.address.trim(),
    port,
    user: e.user.trim(),
    auth: e.authType === 'key' ? { type: 'key', keyPath: e.keyPath.trim() } : { type: 'agent' },
  };
}

/** The HostInput to send, or the per-field messages to show. */
export function formToInput(f: HostForm): { input: HostInput; errors: FormErrors } {
  const errors: FormErrors = {};
  const name = f.name.trim();
  if (!name) errors.name = 'Give the host a short name, e.g. "uat".';
  else if (name.length > 64 || !NAME_RE.test(name)) errors.name = 'Use letters, digits, ".", "_" or "-" (64 at most), starting with a letter or digit.';

  let connection: HostInput['connection'];
  if (f.type === 'local') {
    if (!f.socketPath.trim()) errors.socketPath = 'Enter the Docker socket path.';
    connection = { type: 'local', socketPath: f.socketPath.trim() };
  } else {
    connection = {
      type: 'ssh',
      ...endpoint(f.ssh, 'ssh', errors),
      remoteSocket: f.remoteSocket.trim() || DEFAULT_SOCKET,
      ...(f.useJump ? { jump: endpoint(f.jump, 'jump', errors) } : {}),
    };
  }
  const input: HostInput = {
    name,
    role: f.role,
    protected: f.protected,
    connection,
    // Only sent when typed: an empty field means "no passphrase", never "erase the stored one".
    ...(f.type === 'ssh' && f.ssh.authType === 'key' && f.keyPassphrase ? { keyPassphrase: f.keyPassphrase } : {}),
  };
  return { input, errors };
}

/** "hindsight@127.0.0.12:2222" or the socket path: how a connection is summarised in lists. */
export function describeConnection(c: HostInput['connection']): string {
  if (c.type === 'local') return c.socketPath ?? DEFAULT_SOCKET;
  const port = c.port ?? 22;
  const base = `${c.user}@${c.address}${port === 22 ? '' : `:${port}`}`;
  return c.jump ? `${base} via ${c.jump.address}` : base;
}
