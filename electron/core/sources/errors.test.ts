import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { abortable, ExecFailedError, watchInput } from './errors.js';

describe('abortable', () => {
  it('settles with CANCELLED on abort even if the call never settles', async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => undefined);
    const p = abortable(never, controller.signal, 'Reading');
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED', message: 'Reading: cancelled.' });
  });

  it('passes results and failures through, and ignores a failure after an abort', async () => {
    await expect(abortable(Promise.resolve(4), new AbortController().signal, 'x')).resolves.toBe(4);
    await expect(abortable(Promise.reject(new Error('no')), new AbortController().signal, 'x')).rejects.toThrow('no');
    const controller = new AbortController();
    controller.abort();
    await expect(abortable(Promise.reject(new Error('late')), controller.signal, 'x')).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('watchInput', () => {
  it("keeps an input's early failure (no unhandled 'error') and prefers it", async () => {
    const input = new Readable({ read() {} });
    const watch = watchInput(input);
    input.destroy(new Error('repository gone'));
    await new Promise((r) => setImmediate(r));
    expect(watch.explain(new Error('engine said something'))).toMatchObject({ message: 'repository gone' });
    watch.dispose();
    expect(input.listenerCount('error')).toBe(0);
  });
});

describe('ExecFailedError', () => {
  it('says what failed, how, and what the command said', () => {
    expect(new ExecFailedError('Dumping x', 1, 'pg_dump: error: boom\n').message).toBe('Dumping x failed with exit code 1: pg_dump: error: boom');
    expect(new ExecFailedError('Dumping x', 127, '').message).toBe('Dumping x failed with exit code 127 (command not found in the container).');
    expect(new ExecFailedError('Dumping x', 137, '').message).toContain('killed by signal 9');
    expect(new ExecFailedError('Dumping x', null, '').message).toBe('Dumping x failed without an exit code.');
  });
});
