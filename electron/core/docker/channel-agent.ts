/**
 * An http.Agent whose connections are streams opened on demand — for remote engines, ssh2 channels
 * to the Docker socket through the host's one SSH connection. Keep-alive reuses idle channels for
 * later requests (saving a channel-open round trip); streaming requests (events, logs) hold their
 * own channel until they end.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { asSocket } from './socket-adapter.js';

export type OpenStream = () => Promise<Duplex>;

export class ChannelAgent extends http.Agent {
  constructor(
    private readonly openStream: OpenStream,
    options: http.AgentOptions = {},
  ) {
    // Idle channels are closed after 30 s; a few are kept for the next burst of requests.
    super({ keepAlive: true, maxFreeSockets: 4, timeout: 30_000, ...options });
  }

  /**
   * A pooled channel carries the idle timeout the agent gave it while free; a request taking it
   * over (possibly a log stream that is quiet for minutes) must not inherit that.
   */
  override reuseSocket(socket: Socket, request: http.ClientRequest): void {
    super.reuseSocket(socket, request);
    socket.setTimeout(0);
  }

  override createConnection(
    _options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // The async form: Node's Agent waits for the callback when nothing is returned.
    this.openStream().then(
      (stream) => callback?.(null, asSocket(stream)),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}
