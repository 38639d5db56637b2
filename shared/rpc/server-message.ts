/**
 * The check of every message from the server (the envelope's ServerMessage), written out rather
 * than parsed with zod: the renderer's bundle carries no schema library (its cold start is
 * measured by bench/ui), and the server is ours — this guards against a broken or foreign peer,
 * the backend validates what the client sends with the contract's schemas. server-message.test.ts
 * checks it against the envelope's zod schema, message by message.
 */
import type { ServerMessage } from '../contract/envelope.js';
import type { TaskEvent } from '../contract/tasks.js';
import { ERROR_CODES } from '../contract/rpc-error.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isId = (v: unknown) => isInt(v) && v >= 0;
const optional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);
const isError = (v: unknown) => isObj(v) && (ERROR_CODES as readonly unknown[]).includes(v.code) && isStr(v.message) && optional(v.detail, isStr);
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

function isTaskEvent(e: unknown): e is TaskEvent {
  if (!isObj(e)) return false;
  switch (e.type) {
    case 'progress':
      return (e.fraction === null || (isNum(e.fraction) && (e.fraction as number) >= 0 && (e.fraction as number) <= 1)) && isStr(e.message) && optional(e.bytesDone, isNum) && optional(e.bytesTotal, isNum) && optional(e.step, isStr) && optional(e.source, isStr);
    case 'log':
      return (e.level === 'info' || e.level === 'warn' || e.level === 'error') && isStr(e.message) && isStr(e.ts);
    case 'done':
      return 'result' in e;
    case 'failed':
      return isError(e.error);
    default:
      return false;
  }
}

function valid(m: Obj): boolean {
  switch (m.t) {
    case 'hello-ok':
      return isInt(m.contractVersion) && isStr(m.appVersion);
    case 'hello-refused':
      return isError(m.error);
    case 'result':
      return isId(m.id) && ((m.ok === true && 'value' in m) || (m.ok === false && isError(m.error)));
    case 'items':
      return isId(m.id) && Array.isArray(m.items) && optional(m.dropped, (d) => isInt(d) && d > 0);
    case 'end':
      return isId(m.id) && optional(m.error, isError);
    case 'task':
      return isStr(m.taskId) && Array.isArray(m.events) && m.events.every(isTaskEvent);
    case 'event':
      return isStr(m.name) && m.name.length >= 1 && m.name.length <= 100;
    default:
      return false;
  }
}

/** The message, or why it is not one. */
export function readServerMessage(raw: unknown): { ok: true; message: ServerMessage } | { ok: false; problem: string } {
  if (!isObj(raw)) return { ok: false, problem: 'not an object' };
  return valid(raw) ? { ok: true, message: raw as ServerMessage } : { ok: false, problem: `not a valid "${String(raw.t).slice(0, 40)}" message` };
}
