import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperationLogWriter, operationLogPath, readOperationLog } from './operation-log.js';
import { OperationsHub } from './operations-hub.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hs-oplog-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('operation logs', () => {
  it('numbers lines, reads after a seq, and stops at its bound with one last line', async () => {
    const w = new OperationLogWriter(operationLogPath(dir, 'op1'), 10);
    for (let i = 0; i < 25; i++) w.append('info', `line ${i}`);
    await w.flush();
    const all = await readOperationLog(dir, 'op1');
    expect(all.map((l) => l.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all[8]!.message).toBe('line 8');
    expect(all[9]).toMatchObject({ level: 'warn', message: expect.stringContaining('reached 10 lines') });
    expect((await readOperationLog(dir, 'op1', 6, 2)).map((l) => l.seq)).toEqual([7, 8]);
    expect(await readOperationLog(dir, 'missing')).toEqual([]);
    expect(await readOperationLog(dir, '../etc/passwd')).toEqual([]);
  });

  it('a second writer (a rollback later) continues the numbering; the hub records progress and emits changes', async () => {
    const changed: string[] = [];
    const hub = new OperationsHub(dir, (id) => changed.push(id));
    const seen: string[] = [];
    const ctx = hub.begin('op2', { signal: new AbortController().signal, taskId: 't1', report: (e) => seen.push(e.type) });
    ctx.report({ type: 'log', level: 'info', message: 'one', ts: '2026-01-01T00:00:00Z' });
    ctx.report({ type: 'progress', fraction: 0.5, message: 'half', step: 'restore', source: 'files' });
    expect(hub.liveOf('op2')).toEqual({ taskId: 't1', progress: { fraction: 0.5, message: 'half', step: 'restore', source: 'files' } });
    await hub.end('op2');
    expect(hub.liveOf('op2')).toBeUndefined();
    const again = hub.begin('op2', undefined);
    again.report({ type: 'log', level: 'warn', message: 'two', ts: '2026-01-01T00:00:01Z' });
    await hub.end('op2');
    expect(await readOperationLog(dir, 'op2')).toEqual([
      { seq: 0, ts: '2026-01-01T00:00:00Z', level: 'info', message: 'one' },
      { seq: 1, ts: '2026-01-01T00:00:01Z', level: 'warn', message: 'two' },
    ]);
    expect(seen).toEqual(['log', 'progress']);
    expect(changed).toEqual(['op2', 'op2', 'op2', 'op2']);
  });
});
