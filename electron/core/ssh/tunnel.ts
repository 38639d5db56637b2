/**
 * One SSH connection per host, shared by every Docker request to it (each request is its own
 * channel). Connects on first use, reconnects on demand after the link drops, optionally through a
 * jump host (connect to the jump, forwardOut to the target, run the target's SSH over that channel).
 */
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type { SshEndpoint } from '../../../shared/contract/hosts.js';
import { createLogger } from '../log.js';
import { StepError, detailOf } from '../step-error.js';
import { noWindowAfterClose } from './channel-close.js';
import { openSshClient, type SshConnectDeps } from './connect.js';

const log = createLogger('ssh');

export interface TunnelSpec {
  /** How messages name the host, e.g. `production`. */
  name: string;
  target: SshEndpoint;
  jump?: SshEndpoint | undefined;
  /** Key passphrase from the secret store (used for the jump host's key too); read per connect. */
  passphrase: () => Promise<string | undefined>;
}

interface Link {
  client: Client;
  jump?: Client;
}

export class SshTunnel {
  private link: Promise<Link> | undefined;
  /** The connected link, once `link` has resolved and until it closes. */
  private live: Link | undefined;
  private closed = false;

  constructor(
    readonly spec: TunnelSpec,
    private readonly deps: SshConnectDeps,
  ) {}

  /** The SSH connection, opened (or re-opened) on demand; concurrent callers share one attempt. */
  connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new StepError('config', 'CANCELLED', `The connection to ${this.spec.name} has been closed.`));
    if (!this.link) {
      const attempt = this.open();
      this.link = attempt;
      // A failed attempt is forgotten so the next request tries again.
      attempt.catch(() => {
        if (this.link === attempt) this.link = undefined;
      });
    }
    return this.link.then((l) => l.client);
  }

  private async open(): Promise<Link> {
    const { name, target, jump } = this.spec;
    const passphrase = await this.spec.passphrase();
    const targetLabel = `SSH to ${name} (${target.user}@${target.address}:${target.port})`;
    let jumpClient: Client | undefined;
    let sock: Duplex | undefined;
    if (jump) {
      const jumpLabel = `Jump host ${jump.address}:${jump.port} for ${name}`;
      jumpClient = await openSshClient({ endpoint: jump, label: jumpLabel, passphrase }, this.deps);
      sock = await forwardOut(jumpClient, target, jumpLabel).catch((e: unknown) => {
        jumpClient!.end();
        throw e;
      });
    }
    const client = await openSshClient({ endpoint: target, label: targetLabel, passphrase, sock }, this.deps).catch((e: unknown) => {
      jumpClient?.end();
      throw e;
    });
    const link: Link = { client, ...(jumpClient ? { jump: jumpClient } : {}) };
    client.on('close', () => {
      log.info(`connection to ${name} closed`);
      jumpClient?.end();
      // Forget this link (only this one: a newer link may already have replaced it).
      if (this.live === link) {
        this.live = undefined;
        this.link = undefined;
      }
    });
    client.on('error', (e) => log.warn(`connection to ${name}: ${e.message}`));
    jumpClient?.on('close', () => client.end());
    jumpClient?.on('error', (e) => log.warn(`jump host for ${name}: ${e.message}`));
    if (this.closed) {
      client.end();
      jumpClient?.end();
    } else {
      this.live = link;
    }
    return link;
  }

  /**
   * A channel to a unix socket on the host (`direct-streamlocal@openssh.com`), e.g. the Docker
   * engine's. Failing to open it means the host was reached but the socket was not: SOCKET_FAILED.
   */
  async openStreamLocal(socketPath: string): Promise<ClientChannel> {
    const client = await this.connect();
    try {
      return await streamLocal(client, socketPath);
    } catch (e) {
      if (!(e instanceof Error && /not connected/i.test(e.message))) throw this.socketError(socketPath, e);
      // The link died between connect() and the channel request: drop it and try once more.
      this.live = undefined;
      this.link = undefined;
      return streamLocal(await this.connect(), socketPath).catch((e2: unknown) => {
        throw this.socketError(socketPath, e2);
      });
    }
  }

  private socketError(socketPath: string, e: unknown): StepError {
    if (e instanceof StepError) return e;
    const { name, target } = this.spec;
    return new StepError(
      'socket',
      'SOCKET_FAILED',
      `Reached ${name} over SSH, but could not open the Docker socket ${socketPath} there: it is missing, or user "${target.user}" may not use it (add the user to the docker group), or sshd forbids socket forwarding (AllowStreamLocalForwarding).`,
      detailOf(e),
    );
  }

  /** Closes the connection for good; later calls fail. */
  close(): void {
    this.closed = true;
    const link = this.link;
    this.link = undefined;
    this.live = undefined;
    void link?.then(
      (l) => {
        l.client.end();
        l.jump?.end();
      },
      () => undefined,
    );
  }
}

function streamLocal(client: Client, socketPath: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.openssh_forwardOutStreamLocal(socketPath, (err, channel) => (err ? reject(err) : resolve(noWindowAfterClose(channel))));
    } catch (e) {
      reject(e);
    }
  });
}

function forwardOut(jump: Client, target: SshEndpoint, jumpLabel: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, target.address, target.port, (err, channel) => {
      if (!err) return resolve(noWindowAfterClose(channel));
      reject(
        new StepError(
          'tcp',
          'TCP_FAILED',
          `${jumpLabel}: the jump host could not connect to ${target.address} port ${target.port} (wrong address or port, or the machine is down).`,
          detailOf(err),
        ),
      );
    });
  });
}
