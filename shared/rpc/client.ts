/**
 * The typed client: `createClient(transport)` gives `client.hosts.list()`,
 * `client.logs.follow(input, {onItems, onEnd})`, `client.services.stack(input)` → {taskId, result},
 * `client.hosts.onChanged(cb)`, `client.onTaskEvents(taskId, cb)`. Types come from the contract.
 *
 * Built eagerly from the contract object rather than through a Proxy: every member's kind is known
 * up front, the object is enumerable, and nothing is accidentally "thenable" when awaited.
 */
import type { Client } from '../contract/index.js';
import { MEMBER_KINDS } from '../contract/members.js';
import { CONTRACT_VERSION } from '../contract/version.js';
import { ClientSession, type ServerHello } from './client-session.js';
import type { Transport } from './transport.js';

export type { ServerHello } from './client-session.js';

export interface ClientOptions {
  /** Defaults to this build's CONTRACT_VERSION; tests override it to provoke a mismatch. */
  contractVersion?: number;
  /** Messages the client could not make sense of (malformed, unknown ids). Defaults to silence. */
  onProtocolError?(problem: string): void;
}

export type RpcClient = Client & {
  /** Resolves after hello-ok; rejects with RpcError CONTRACT_MISMATCH or DISCONNECTED. */
  readonly $ready: Promise<ServerHello>;
  /** Called once when the transport closes; pending calls have already been rejected. */
  $onClose(listener: (reason: string) => void): () => void;
  $close(): void;
};

export function createClient(transport: Transport, options: ClientOptions = {}): RpcClient {
  const session = new ClientSession(transport, options.contractVersion ?? CONTRACT_VERSION, options.onProtocolError);
  const client: Record<string, unknown> = {
    $ready: session.ready,
    $onClose: (listener: (reason: string) => void) => session.onClose(listener),
    $close: () => session.close('closed by the client'),
    onTaskEvents: session.onTaskEvents.bind(session),
  };
  // The members' names and kinds only (members.ts, generated from the contract): no schemas here.
  for (const [domainName, domain] of Object.entries(MEMBER_KINDS as Record<string, Record<string, MemberKind>>)) {
    const methods: Record<string, unknown> = {};
    for (const [memberName, kind] of Object.entries(domain)) {
      methods[memberName] = memberFunction(session, `${domainName}.${memberName}`, kind);
    }
    client[domainName] = Object.freeze(methods);
  }
  return Object.freeze(client) as unknown as RpcClient;
}

type MemberKind = 'invoke' | 'task' | 'stream' | 'event';

function memberFunction(session: ClientSession, method: string, kind: MemberKind): unknown {
  switch (kind) {
    case 'invoke':
      return (input?: unknown) => session.call(method, input);
    case 'task':
      return (input: unknown) => session.startTask(method, input);
    case 'stream':
      return (input: unknown, callbacks: Parameters<ClientSession['subscribe']>[2]) =>
        session.subscribe(method, input, callbacks);
    case 'event':
      return (listener: (payload: unknown) => void) => session.onEvent(method, listener);
  }
}
