/**
 * A Docker engine as dockerode sees it. Local engines are reached on their unix socket; remote ones
 * through the host's SSH tunnel: every HTTP request runs in its own ssh2 channel to the remote
 * engine socket (`direct-streamlocal`), all sharing the one SSH connection.
 */
import Docker from 'dockerode';
import type { HostConnection } from '../../../shared/contract/hosts.js';
import type { SshConnectDeps } from '../ssh/connect.js';
import { LOCAL_CHUNK_BYTES } from '../pipeline/index.js';
import { SshTunnel } from '../ssh/tunnel.js';
import { ChannelAgent } from './channel-agent.js';

export interface Engine {
  readonly name: string;
  readonly docker: Docker;
  readonly connection: HostConnection;
  /** The local socket path, for error messages about it (undefined for SSH hosts). */
  readonly localSocket: string | undefined;
  /**
   * Set only where this process runs on the engine's host and shares a folder of named pipes with
   * the helper containers it starts (the agent, ARCHITECTURE §8): volumes are then read and
   * written by GNU tar in a helper, streaming through a pipe, instead of the engine's archive
   * endpoint (see sources/pipe-tar.ts for why).
   */
  readonly pipes?: HelperPipes;
  /** Opens the SSH connection if there is one (surfacing lookup/tcp/hostkey/auth failures). */
  connect(): Promise<void>;
  dispose(): void;
}

export interface EngineDeps {
  ssh: SshConnectDeps;
  /** The host's key passphrase, read when (re)connecting so a newly stored one is used. */
  passphrase: () => Promise<string | undefined>;
  /** For local engines only: see Engine.pipes. */
  pipes?: HelperPipes;
}

export interface HelperPipes {
  /** The folder of named pipes, in this process and in every helper (the same path). */
  dir: string;
  /** The Docker volume that holds it, mounted into helpers at `dir`. */
  volume: string;
  /** An image with GNU tar, coreutils and findutils for the helpers (the agent's own). */
  image: string;
}

/**
 * The pipeline's chunk size for data moved through `engine`: larger where it is on this host (the
 * agent, which has `pipes`; see LOCAL_CHUNK_BYTES), the pipeline's default over SSH; `given`
 * (tests, benchmarks) wins.
 */
export function chunkBytesFor(engine: Pick<Engine, 'pipes'>, given?: number): { chunkBytes?: number } {
  const chunkBytes = given ?? (engine.pipes ? LOCAL_CHUNK_BYTES : undefined);
  return chunkBytes ? { chunkBytes } : {};
}

/**
 * Options that pin dockerode to what we say: docker-modem otherwise merges in DOCKER_HOST,
 * DOCKER_TLS_VERIFY and DOCKER_CERT_PATH from the environment, which must not redirect a host.
 */
const NEUTRAL = { host: undefined, port: undefined, ca: undefined, cert: undefined, key: undefined, timeout: undefined, version: undefined };

export function createEngine(name: string, connection: HostConnection, deps: EngineDeps): Engine {
  if (connection.type === 'local') {
    const docker = new Docker({ ...NEUTRAL, protocol: 'http', socketPath: connection.socketPath } as Docker.DockerOptions);
    return {
      name,
      docker,
      connection,
      localSocket: connection.socketPath,
      ...(deps.pipes ? { pipes: deps.pipes } : {}),
      connect: async () => undefined,
      dispose: () => undefined,
    };
  }
  const tunnel = new SshTunnel(
    { name, target: connection, jump: connection.jump, passphrase: deps.passphrase },
    deps.ssh,
  );
  const agent = new ChannelAgent(() => tunnel.openStreamLocal(connection.remoteSocket));
  const docker = new Docker({
    ...NEUTRAL,
    // The host name only fills the HTTP Host header; the agent decides where bytes go.
    host: 'docker',
    port: 80,
    protocol: 'http',
    agent,
  } as Docker.DockerOptions);
  return {
    name,
    docker,
    connection,
    localSocket: undefined,
    connect: async () => {
      await tunnel.connect();
    },
    dispose: () => {
      agent.destroy();
      tunnel.close();
    },
  };
}
