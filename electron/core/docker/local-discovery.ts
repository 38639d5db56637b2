/**
 * Finding the local Docker engine: $DOCKER_HOST when it is a unix:// URL, else the usual socket.
 * `hosts.discoverLocal` reports it so the UI can offer it.
 */
import Docker from 'dockerode';
import { ping } from './dial.js';

export const DEFAULT_LOCAL_SOCKET = '/var/run/docker.sock';

export function localSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost?.startsWith('unix://') && dockerHost.length > 'unix://'.length) return dockerHost.slice('unix://'.length);
  return DEFAULT_LOCAL_SOCKET;
}

/** Does an engine answer on this socket (within `timeoutMs`)? */
export async function pingSocket(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  const docker = new Docker({ socketPath, host: undefined, port: undefined, protocol: 'http' } as Docker.DockerOptions);
  return ping(docker, AbortSignal.timeout(timeoutMs)).then(
    () => true,
    () => false,
  );
}
