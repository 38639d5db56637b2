/**
 * Talking to an installed agent: exec its own CLI in the `hindsight-agent` container through the
 * Docker API (the existing SSH tunnel; no port, no credential of its own). With `--json` the agent
 * prints its answer on stdout, and on failure one JSON line {"error":{code,message}} as the last
 * line on stderr, turned back into the RpcError it was.
 */
import { PassThrough, Readable } from 'node:stream';
import type { z } from 'zod';
import { RpcError, type ErrorCode } from '../../../shared/contract/errors.js';
import type { Engine } from '../docker/engine.js';
import { ExecFailedError } from '../sources/errors.js';
import { execCapture, execStream, execWithInput } from '../sources/exec.js';
import { AGENT_COMMAND, AGENT_CONTAINER } from './agent-names.js';

const spec = (args: string[]) => ({ container: AGENT_CONTAINER, cmd: [AGENT_COMMAND, ...args, '--json'] });

/** The agent's own error, when its stderr ends with one; else the exec failure as it was. */
export function agentError(e: unknown): unknown {
  if (!(e instanceof ExecFailedError)) return e;
  const last = e.stderr.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as { error?: { code?: string; message?: string } };
    if (parsed.error?.message) return new RpcError((parsed.error.code as ErrorCode) ?? 'INTERNAL', parsed.error.message);
  } catch {
    // not JSON: the plain failure
  }
  return e;
}

export async function agentQuery<T extends z.ZodType>(engine: Engine, args: string[], schema: T, what: string, signal?: AbortSignal): Promise<z.infer<T>> {
  try {
    const out = await execCapture(engine, spec(args), { what, killOnAbort: false, ...(signal ? { signal } : {}) });
    return schema.parse(JSON.parse(out));
  } catch (e) {
    throw agentError(e);
  }
}

/** Sends `input` (secrets included) on the command's stdin, never in its argv. */
export async function agentSend<T extends z.ZodType>(engine: Engine, args: string[], input: unknown, schema: T, what: string): Promise<z.infer<T>> {
  try {
    const { stdout } = await execWithInput(engine, spec(args), Readable.from([Buffer.from(JSON.stringify(input))]), { what, killOnAbort: false });
    return schema.parse(JSON.parse(stdout));
  } catch (e) {
    throw agentError(e);
  }
}

/** A long command whose stdout is JSON lines (progress, then the result). */
export async function agentLines(engine: Engine, args: string[], what: string, onLine: (line: unknown) => void, signal?: AbortSignal): Promise<void> {
  try {
    const out = await execStream(engine, spec(args), { what, ...(signal ? { signal } : {}) });
    const lines = lineReader(onLine);
    for await (const chunk of out as AsyncIterable<Buffer>) lines.push(chunk);
    lines.end();
  } catch (e) {
    throw agentError(e);
  }
}

/** Splits a byte stream into JSON lines. */
function lineReader(onLine: (line: unknown) => void) {
  let rest = '';
  return {
    push(chunk: Buffer) {
      rest += chunk.toString('utf8');
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl).trim();
        rest = rest.slice(nl + 1);
        if (line) onLine(JSON.parse(line));
      }
    },
    end() {
      if (rest.trim()) onLine(JSON.parse(rest));
      rest = '';
    },
  };
}

/**
 * A command that takes JSON on stdin (never in argv) and answers JSON lines: progress as it comes,
 * then {"type":"done",result} — the result.
 */
export async function agentSendLines(engine: Engine, args: string[], input: unknown, what: string, onLine?: (line: unknown) => void, signal?: AbortSignal): Promise<unknown> {
  return startAgentSendLines(engine, args, what, signal).send(input, onLine);
}

/** An agentSendLines whose command runs already and waits for its input. */
export interface StartedAgentCommand {
  /** Gives the input (once); resolves with the result. */
  send(input: unknown, onLine?: (line: unknown) => void): Promise<unknown>;
  /** Started with its input ahead (`ahead`): the empty line that tells it to begin; resolves with the result. */
  go(onLine?: (line: unknown) => void): Promise<unknown>;
  /** Ends it without input, or without the word to begin: the agent's CLI exits (its complaint is dropped). */
  cancel(): void;
  /** Settles when the exec has ended, however it ended. */
  ended: Promise<void>;
}

/**
 * agentSendLines started before it is to run: the agent's CLI (Node and its bundle, ~0.5 s on a
 * busy host) starts while the caller still has work to do, and reads its stdin when `send` gives
 * it. With `ahead`, the input is written at once as one line (a command that gets ready on it,
 * agent-cli.ts `restore-source`) and `go` later writes the empty line that begins it; the lines
 * it writes meanwhile go to `beforeGo`. The caller
 * must `send`/`go` or `cancel`: until then the exec waits.
 */
export function startAgentSendLines(engine: Engine, args: string[], what: string, signal?: AbortSignal, ahead?: unknown, beforeGo?: (line: unknown) => void): StartedAgentCommand {
  const input = new PassThrough();
  if (ahead !== undefined) input.write(`${JSON.stringify(ahead)}\n`);
  // Lines before the input is given (`beforeGo`: what the command says while it gets ready).
  let onLine: ((line: unknown) => void) | undefined = beforeGo;
  let result: unknown;
  let done = false;
  const lines = lineReader((line) => {
    const l = line as { type?: string; result?: unknown };
    if (l.type === 'done') {
      done = true;
      result = l.result;
    } else onLine?.(line);
  });
  const ran = execWithInput(engine, spec(args), input, { what, onStdout: (b) => lines.push(b), ...(signal ? { signal } : {}) }).then(
    () => {
      lines.end();
      if (!done) throw new RpcError('INTERNAL', `${what}: the agent ended without a result.`);
      return result;
    },
    (e: unknown) => {
      throw agentError(e);
    },
  );
  ran.catch(() => undefined); // cancelled: nobody waits for it
  let given = false;
  const give = (data: string, handler: ((line: unknown) => void) | undefined) => {
    if (given) throw new Error(`${what}: input given twice`);
    given = true;
    onLine = handler;
    // An exec that failed already (cancelled, engine gone) took its input down: `ran` says why.
    if (!input.destroyed) input.end(Buffer.from(data));
    return ran;
  };
  return {
    send: (payload, handler) => {
      if (ahead !== undefined) throw new Error(`${what}: its input was given ahead; go begins it`);
      return give(JSON.stringify(payload), handler);
    },
    go: (handler) => {
      if (ahead === undefined) throw new Error(`${what}: no input was given ahead; send gives it`);
      return give('\n', handler);
    },
    cancel() {
      if (given) return;
      given = true;
      if (!input.destroyed) input.end();
    },
    ended: ran.then(
      () => undefined,
      () => undefined,
    ),
  };
}
