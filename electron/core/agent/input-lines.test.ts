import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inputLines } from './input-lines.js';

const from = (...parts: string[]) => inputLines(Readable.from(parts.map((p) => Buffer.from(p))));

describe('inputLines', () => {
  it('gives each line as it is complete, across chunks, and says which one the end of input cut short', async () => {
    const lines = from('{"a":', '1}\n', '\n', 'tail');
    expect(await lines.next()).toEqual({ text: '{"a":1}', terminated: true });
    expect(await lines.next()).toEqual({ text: '', terminated: true });
    expect(await lines.next()).toEqual({ text: 'tail', terminated: false });
    expect(await lines.next()).toBeNull();
  });

  it('tells a request sent all at once (no newline) from one sent ahead, and an empty input from both', async () => {
    expect(await from('{"a":1}').next()).toEqual({ text: '{"a":1}', terminated: false });
    expect(await from('{"a":1}\n').next()).toEqual({ text: '{"a":1}', terminated: true });
    const ahead = from('{"a":1}\n');
    await ahead.next();
    expect(await ahead.next()).toBeNull(); // ended without the word to begin
    expect(await from().next()).toBeNull();
  });

  it('refuses a line longer than its bound instead of holding it all', async () => {
    const lines = inputLines(Readable.from([Buffer.alloc(40, 'x'), Buffer.alloc(40, 'x')]), 50);
    await expect(lines.next()).rejects.toThrow(/more than 50 bytes/);
  });
});
