/**
 * One SSH connection to one endpoint: lookup → tcp → handshake with host key verification → auth.
 * Every failure becomes a StepError naming its step. Host keys are judged against known_hosts
 * (loaded before connecting so the verifier can answer synchronously); an unknown key is
 * remembered so `hosts.acceptHostKey` can pin it, a changed one is refused outright.
 */
import type { Duplex } from 'node:stream';
// ssh2 is CommonJS: take Client from the default export (works under Node's ESM loader and bundlers).
import ssh2, { type AuthenticationType, type Client, type ConnectConfig } from 'ssh2';
import type { SshEndpoint } from '../../../shared/contract/hosts.js';
import { StepError, detailOf } from '../step-error.js';
import { fingerprintOf, keyTypeOf } from './fingerprint.js';
import { hostPatternFor, judgeHostKey } from './known-hosts.js';
import type { KnownHostsStore } from './known-hosts-store.js';
import { connectTcp, lookupAddress, DEFAULT_CONNECT_TIMEOUT_MS } from './net-connect.js';
import type { PendingHostKeys } from './pending-host-keys.js';
import { loadPrivateKey } from './private-key.js';

export interface SshConnectDeps {
  knownHosts: KnownHostsStore;
  pendingKeys: PendingHostKeys;
  /** The ssh-agent socket for agent auth (normally $SSH_AUTH_SOCK). */
  agentSocket: string | undefined;
  connectTimeoutMs?: number;
  handshakeTimeoutMs?: number;
}

export interface SshConnectRequest {
  endpoint: SshEndpoint;
  /** How messages name this connection, e.g. `SSH to production` or `Jump host bastion`. */
  label: string;
  passphrase?: string;
  /** An already-open transport (a channel through a jump host); skips lookup and tcp. */
  sock?: Duplex;
}

/** Host key algorithms in ssh2's default preference order. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * Like OpenSSH, ask first for the key types already pinned for this host, so a server that also
 * has, say, an ed25519 key is not reported "unknown" when its RSA key is the one we trust.
 */
export function preferredHostKeyAlgorithms(knownTypes: string[]): string[] {
  const preferred = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const supported = preferred.filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...supported, ...HOST_KEY_ALGORITHMS])];
}

export async function openSshClient(req: SshConnectRequest, deps: SshConnectDeps): Promise<Client> {
  const { endpoint, label } = req;
  const hostPattern = hostPatternFor(endpoint.address, endpoint.port);

  let sock = req.sock;
  if (!sock) {
    const ip = await lookupAddress(endpoint.address, label);
    sock = await connectTcp(ip, endpoint.port, label, deps.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  }

  const known = await deps.knownHosts.viewFor(hostPattern);
  // Read the key now (async) but report a problem with it only when auth begins, so the check
  // shows lookup/tcp/hostkey as passed and auth as the failing step, in the order they happen.
  const key =
    endpoint.auth.type === 'key'
      ? await loadPrivateKey(endpoint.auth.keyPath, req.passphrase).then(
          (k) => ({ ok: true as const, k }),
          (e: unknown) => ({ ok: false as const, e }),
        )
      : undefined;

  let failure: StepError | undefined;

  const hostVerifier = (keyBlob: Buffer): boolean => {
    let keyType: string;
    try {
      keyType = keyTypeOf(keyBlob);
    } catch {
      failure = new StepError('hostkey', 'HOSTKEY_CHANGED', `${label}: the server presented a malformed host key; refusing to connect.`);
      return false;
    }
    const fingerprint = fingerprintOf(keyBlob);
    const verdict = judgeHostKey(known.entries, hostPattern, keyType, keyBlob);
    if (verdict.status === 'match') return true;
    if (verdict.status === 'unknown') {
      deps.pendingKeys.remember(hostPattern, keyType, keyBlob);
      failure = new StepError(
        'hostkey',
        'HOSTKEY_UNKNOWN',
        `${label}: the server's host key is not known yet (${keyType} ${fingerprint}). Compare the fingerprint with the server's and accept it if it matches.`,
        undefined,
        { hostPattern, keyType, fingerprint, status: 'unknown' },
      );
      return false;
    }
    const where = known.file ? `${known.file} line ${verdict.line}` : 'known_hosts';
    failure = new StepError(
      'hostkey',
      'HOSTKEY_CHANGED',
      `${label}: the server's host key has CHANGED (now ${keyType} ${fingerprint}${verdict.knownFingerprint ? `, pinned ${verdict.knownFingerprint}` : ', which is revoked'}). ` +
        `This can mean someone is intercepting the connection. Refusing to connect; if the server was really reinstalled, remove the old key from ${where}.`,
      undefined,
      { hostPattern, keyType, fingerprint, status: 'changed' },
    );
    return false;
  };

  let authOffered = false;
  const authHandler = (
    _methodsLeft: AuthenticationType[] | null,
    _partial: boolean | null,
    next: (auth: unknown) => void,
  ): void => {
    // One method per host, as configured: no silent fallback to other keys or passwords.
    if (authOffered) return next(false);
    authOffered = true;
    if (endpoint.auth.type === 'key') {
      if (!key?.ok) {
        failure = key?.e instanceof StepError ? key.e : new StepError('auth', 'KEY_UNREADABLE', `${label}: the private key cannot be used.`, detailOf(key?.e));
        return next(false);
      }
      return next({ type: 'publickey', username: endpoint.user, key: key.k });
    }
    if (!deps.agentSocket) {
      failure = new StepError('auth', 'AUTH_FAILED', `${label}: this host uses ssh-agent, but no agent is running (SSH_AUTH_SOCK is not set).`);
      return next(false);
    }
    next({ type: 'agent', username: endpoint.user, agent: deps.agentSocket });
  };

  const config: ConnectConfig = {
    sock: sock as ConnectConfig['sock'],
    username: endpoint.user,
    hostVerifier,
    authHandler: authHandler as unknown as ConnectConfig['authHandler'],
    readyTimeout: deps.handshakeTimeoutMs ?? 20_000,
    // Notice a dead link within ~45 s; the tunnel then reconnects on the next request.
    keepaliveInterval: 15_000,
    keepaliveCountMax: 3,
    algorithms: { serverHostKey: preferredHostKeyAlgorithms(known.entries.map((e) => e.keyType)) as never },
  };

  const client = new ssh2.Client();
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const settle = (e?: StepError) => {
      if (settled) return;
      settled = true;
      if (e) {
        client.destroy();
        sock.destroy();
        reject(e);
      } else resolve(client);
    };
    client.once('ready', () => settle());
    client.on('error', (e: Error & { level?: string }) => settle(failure ?? classifySshError(e, req)));
    client.once('close', () =>
      settle(failure ?? new StepError('tcp', 'TCP_FAILED', `${label}: the server closed the connection during the SSH handshake.`)),
    );
    client.connect(config);
  });
}

function classifySshError(e: Error & { level?: string }, req: SshConnectRequest): StepError {
  const { label, endpoint } = req;
  const detail = detailOf(e);
  switch (e.level) {
    case 'client-authentication': {
      const how = endpoint.auth.type === 'key' ? `the key ${endpoint.auth.keyPath}` : 'the keys in ssh-agent';
      return new StepError('auth', 'AUTH_FAILED', `${label}: the server refused the login as "${endpoint.user}" with ${how}.`, detail);
    }
    case 'agent':
      return new StepError('auth', 'AUTH_FAILED', `${label}: the ssh-agent could not be used.`, detail);
    case 'client-timeout':
      return new StepError('tcp', 'TIMEOUT', `${label}: connected, but the SSH handshake did not complete in time.`, detail);
    case 'protocol':
    case 'handshake':
      return new StepError('tcp', 'TCP_FAILED', `${label}: connected, but the SSH handshake failed (is this an SSH server?).`, detail);
    default:
      return new StepError('tcp', 'TCP_FAILED', `${label}: the connection failed during the SSH handshake.`, detail);
  }
}
