/**
 * One client connection: the handshake, then calls and subscriptions. Every incoming message is
 * validated against the envelope; nothing is served before a successful hello; no payload, however
 * malformed, can throw out of `receive`.
 */
import {
  CONTRACT_VERSION,
  ClientMessage,
  lookupMember,
  type Member,
  type RpcErrorShape,
  type StreamMember,
} from '../../../shared/contract/index.js';
import { Outbox } from './outbox.js';
import type { RouterContext } from './router-context.js';
import { internalError, invalidInput, toWireError } from './wire-errors.js';
import type { Peer } from './types.js';

export interface Connection {
  /** Feed one message as received (already JSON-decoded / structured-cloned). */
  receive(raw: unknown): void;
  /** The transport is gone: abort this connection's subscriptions (tasks keep running). */
  close(): void;
}

type AnyStreamHandler = (input: unknown, sink: { signal: AbortSignal; push(item: unknown): void }) => Promise<void>;

export class RouterConnection implements Connection {
  readonly outbox: Outbox;
  private state: 'awaiting-hello' | 'ready' | 'refused' | 'closed' = 'awaiting-hello';
  private readonly subscriptions = new Map<number, AbortController>();

  constructor(
    private readonly ctx: RouterContext,
    private readonly peer: Peer,
    private readonly onClosed: (connection: RouterConnection) => void,
  ) {
    this.outbox = new Outbox(peer, ctx.batch, (error) => {
      ctx.logger.warn(`connection lost while sending: ${String(error)}`);
      this.close();
    });
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  receive(raw: unknown): void {
    try {
      this.dispatch(raw);
    } catch (error) {
      // A bug here must cost one message, never the process.
      this.ctx.logger.error(`router failed on a message: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const controller of this.subscriptions.values()) controller.abort(new Error('connection closed'));
    this.subscriptions.clear();
    this.outbox.close();
    this.onClosed(this);
  }

  private dispatch(raw: unknown): void {
    if (this.state === 'closed' || this.state === 'refused') return;
    const parsed = ClientMessage.safeParse(raw);
    if (!parsed.success) return this.rejectMalformed(raw);
    const message = parsed.data;
    if (message.t === 'hello') return this.hello(message.contractVersion);
    if (this.state !== 'ready') {
      return this.replyError(message, { code: 'CONTRACT_MISMATCH', message: 'The handshake (hello) must come first' });
    }
    switch (message.t) {
      case 'call':
        return void this.call(message.id, message.method, message.input).catch((error: unknown) => {
          this.ctx.logger.error(`router failed on a call: ${error instanceof Error ? error.stack : String(error)}`);
        });
      case 'subscribe':
        return this.subscribe(message.id, message.method, message.input);
      case 'unsubscribe':
        return this.unsubscribe(message.id);
    }
  }

  private hello(contractVersion: number): void {
    if (contractVersion !== CONTRACT_VERSION) {
      this.state = 'refused';
      this.outbox.sendNow({
        t: 'hello-refused',
        error: {
          code: 'CONTRACT_MISMATCH',
          message: `This backend speaks contract version ${CONTRACT_VERSION}, the client ${contractVersion}: reload or update the app`,
        },
      });
      this.peer.close?.('contract mismatch');
      return;
    }
    this.state = 'ready';
    this.outbox.sendNow({ t: 'hello-ok', contractVersion: CONTRACT_VERSION, appVersion: this.ctx.appVersion });
  }

  private async call(id: number, method: string, rawInput: unknown): Promise<void> {
    const succeed = (value: unknown) => this.outbox.sendNow({ t: 'result', id, ok: true, value });
    const fail = (error: RpcErrorShape) => this.outbox.sendNow({ t: 'result', id, ok: false, error });
    const member = lookupMember(method);
    if (!member || member.kind === 'event' || member.kind === 'stream') {
      const why = member ? `${method} is a ${member.kind}, not something to call` : `No method ${method}`;
      return fail({ code: 'UNKNOWN_METHOD', message: why });
    }
    const input = member.input.safeParse(rawInput);
    if (!input.success) return fail(invalidInput(method, input.error));
    try {
      if (member.kind === 'task') {
        const handler = this.ctx.taskHandler(method);
        if (!handler) return fail(notImplemented(method));
        return succeed({ taskId: this.ctx.tasks.start(method, member, handler, input.data) });
      }
      const handler = this.ctx.invokeHandler(method);
      if (!handler) return fail(notImplemented(method));
      const output = member.output.safeParse(await handler(input.data));
      if (output.success) return succeed(output.data);
      fail(internalError(this.ctx.logger, `${method} returned a value that does not fit the contract: ${output.error.message}`, 'The backend produced a malformed answer'));
    } catch (error) {
      fail(toWireError(error, this.ctx.logger, method));
    }
  }

  private subscribe(id: number, method: string, rawInput: unknown): void {
    const member: Member | undefined = lookupMember(method);
    if (!member || member.kind !== 'stream') {
      const why = member ? `${method} is a ${member.kind}, not a stream` : `No stream ${method}`;
      return this.outbox.sendNow({ t: 'end', id, error: { code: 'UNKNOWN_METHOD', message: why } });
    }
    if (this.subscriptions.has(id)) {
      return this.outbox.sendNow({ t: 'end', id, error: { code: 'INVALID_INPUT', message: `Subscription id ${id} is already in use` } });
    }
    const input = member.input.safeParse(rawInput);
    if (!input.success) return this.outbox.sendNow({ t: 'end', id, error: invalidInput(method, input.error) });
    const handler = this.ctx.streamHandler(method) as AnyStreamHandler | undefined;
    if (!handler) return this.outbox.sendNow({ t: 'end', id, error: notImplemented(method) });
    this.runStream(id, method, member, handler, input.data);
  }

  private runStream(id: number, method: string, member: StreamMember, handler: AnyStreamHandler, input: unknown): void {
    const controller = new AbortController();
    this.subscriptions.set(id, controller);
    const live = () => this.subscriptions.get(id) === controller && !controller.signal.aborted;
    const end = (error?: RpcErrorShape) => {
      if (!live()) return;
      this.subscriptions.delete(id);
      controller.abort(new Error('stream ended'));
      this.outbox.endStream(id, error);
    };
    const sink = {
      signal: controller.signal,
      push: (item: unknown) => {
        if (!live()) return;
        const check = this.ctx.checkOutputs ? member.item.safeParse(item) : undefined;
        if (check && !check.success) {
          return end(internalError(this.ctx.logger, `${method} pushed an item that does not fit the contract: ${check.error.message}`, 'The backend produced a malformed item'));
        }
        this.outbox.pushItem(id, check ? check.data : item);
      },
    };
    Promise.resolve()
      .then(() => handler(input, sink))
      .then(
        () => end(),
        (error: unknown) => end(toWireError(error, this.ctx.logger, method)),
      );
  }

  private unsubscribe(id: number): void {
    const controller = this.subscriptions.get(id);
    if (!controller) return;
    this.subscriptions.delete(id);
    controller.abort(new Error('unsubscribed'));
    this.outbox.forgetStream(id);
  }

  /** A message that does not fit the envelope: answer it if it says which request it was. */
  private rejectMalformed(raw: unknown): void {
    const candidate = raw as { t?: unknown; id?: unknown } | null;
    const id = typeof candidate === 'object' && candidate !== null ? candidate.id : undefined;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      this.ctx.logger.warn(`dropped a malformed message: ${preview(raw)}`);
      return;
    }
    const error: RpcErrorShape = { code: 'INVALID_INPUT', message: 'Malformed message: it does not fit the envelope' };
    if (candidate?.t === 'subscribe') this.outbox.sendNow({ t: 'end', id, error });
    else this.outbox.sendNow({ t: 'result', id, ok: false, error });
  }

  private replyError(message: Exclude<ClientMessage, { t: 'hello' }>, error: RpcErrorShape): void {
    if (message.t === 'call') this.outbox.sendNow({ t: 'result', id: message.id, ok: false, error });
    else if (message.t === 'subscribe') this.outbox.sendNow({ t: 'end', id: message.id, error });
  }
}

function notImplemented(method: string): RpcErrorShape {
  return { code: 'UNKNOWN_METHOD', message: `${method} is not implemented by this backend` };
}

/** Enough to debug a client, never the payload itself (it may hold a passphrase). */
function preview(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return typeof raw;
  const t = (raw as { t?: unknown }).t;
  return `{t: ${typeof t === 'string' ? JSON.stringify(t.slice(0, 20)) : typeof t}, keys: ${Object.keys(raw).slice(0, 10).join(',')}}`;
}
