import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RpcClient } from '../../shared/rpc/client.js';
import { takeEarlyConnection, type EarlyStart } from './early-start';

// The hand-over lives on `window`; the unit project runs in Node, where globalThis stands in for it.
const win = globalThis as unknown as { window?: typeof globalThis; hindsightEarlyStart?: EarlyStart };
const fakeClient = {} as RpcClient;

beforeEach(() => {
  win.window = globalThis;
  delete win.hindsightEarlyStart;
});
afterEach(() => {
  delete win.window;
  delete win.hindsightEarlyStart;
});

describe('takeEarlyConnection', () => {
  it('hands the early connection over once, and the close that comes later to the bundle', async () => {
    const start: EarlyStart = { connection: Promise.resolve(fakeClient) };
    win.hindsightEarlyStart = start;
    const closes: string[] = [];
    const taken = takeEarlyConnection((reason) => closes.push(reason));
    expect(await taken).toBe(fakeClient);
    expect(takeEarlyConnection(() => undefined)).toBeUndefined(); // once
    start.onClose?.('web host stopped'); // what the early start's close hook calls
    expect(closes).toEqual(['web host stopped']);
  });

  it('leaves a mark when the bundle came first, so a late early start opens no second connection', () => {
    expect(takeEarlyConnection(() => undefined)).toBeUndefined();
    expect(win.hindsightEarlyStart).toEqual({ connection: null });
  });

  it('gives null for a connection that opened and closed before the bundle took it (the bundle opens its own)', async () => {
    win.hindsightEarlyStart = { connection: Promise.resolve(fakeClient), closedReason: 'web host restarted' };
    expect(await takeEarlyConnection(() => undefined)).toBeNull();
    expect(win.hindsightEarlyStart.connection).toBeNull();
  });

  it('keeps the error of a connection that failed (a refused token is said once, not tried again)', async () => {
    const refused = Object.assign(new Error('the backend refused the connection'), { code: 'DISCONNECTED' });
    const connection = Promise.reject(refused);
    connection.catch(() => undefined);
    win.hindsightEarlyStart = { connection, closedReason: 'refused' };
    await expect(takeEarlyConnection(() => undefined)).rejects.toBe(refused);
  });
});
