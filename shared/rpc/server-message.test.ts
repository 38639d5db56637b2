import { describe, expect, it } from 'vitest';
import { ServerMessage } from '../contract/envelope.js';
import { readServerMessage } from './server-message.js';

const error = { code: 'NOT_FOUND', message: 'no such host' };
const good: unknown[] = [
  { t: 'hello-ok', contractVersion: 1, appVersion: '0.1.0' },
  { t: 'hello-refused', error: { code: 'CONTRACT_MISMATCH', message: 'x', detail: 'y' } },
  { t: 'result', id: 3, ok: true, value: { any: ['thing'] } },
  { t: 'result', id: 0, ok: true, value: null },
  { t: 'result', id: 4, ok: false, error },
  { t: 'items', id: 1, items: [1, 'two'] },
  { t: 'items', id: 1, items: [], dropped: 5 },
  { t: 'end', id: 2 },
  { t: 'end', id: 2, error },
  { t: 'task', taskId: 'a', events: [{ type: 'progress', fraction: null, message: 'm' }, { type: 'progress', fraction: 0.5, message: 'm', bytesDone: 1, bytesTotal: 2, step: 's', source: 'x' }, { type: 'log', level: 'warn', message: 'm', ts: 't' }, { type: 'done', result: 1 }, { type: 'failed', error }] },
  { t: 'event', name: 'hosts.onChanged', payload: { id: 'h' } },
];
const bad: unknown[] = [
  null,
  'hello',
  [],
  { t: 'nope' },
  { t: 'hello-ok', contractVersion: 1.5, appVersion: 'x' },
  { t: 'hello-refused', error: { code: 'NO_SUCH_CODE', message: 'x' } },
  { t: 'result', id: -1, ok: true },
  { t: 'result', id: 1, ok: false },
  { t: 'result', id: 1, ok: true },
  { t: 'result', id: 1, ok: 'yes' },
  { t: 'items', id: 1, items: 'x' },
  { t: 'items', id: 1, items: [], dropped: 0 },
  { t: 'end', id: 'x' },
  { t: 'task', taskId: 'a', events: [{ type: 'progress', fraction: 2, message: 'm' }] },
  { t: 'task', taskId: 'a', events: [{ type: 'log', level: 'debug', message: 'm', ts: 't' }] },
  { t: 'task', taskId: 'a', events: [{ type: 'failed', error: { code: 'INTERNAL' } }] },
  { t: 'task', taskId: 'a', events: [{ type: 'unknown' }] },
  { t: 'event', name: '', payload: 1 },
];

describe('readServerMessage: the renderer\'s check of server messages, without zod', () => {
  it('accepts what the envelope\'s schema accepts', () => {
    for (const m of good) {
      expect(ServerMessage.safeParse(m).success, JSON.stringify(m)).toBe(true);
      expect(readServerMessage(m).ok, JSON.stringify(m)).toBe(true);
    }
  });
  it('refuses what the schema refuses, saying what', () => {
    for (const m of bad) {
      expect(ServerMessage.safeParse(m).success, JSON.stringify(m)).toBe(false);
      expect(readServerMessage(m).ok, JSON.stringify(m)).toBe(false);
    }
    expect(readServerMessage({ t: 'result', id: 1, ok: false })).toEqual({ ok: false, problem: 'not a valid "result" message' });
  });
});
