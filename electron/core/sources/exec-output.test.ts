import { describe, expect, it } from 'vitest';
import { BoundedText, PidMarker, withPidReport } from './exec-output.js';

describe('BoundedText', () => {
  it('keeps everything under the limits', () => {
    const t = new BoundedText(4, 8);
    t.push(Buffer.from('hello '));
    t.push(Buffer.from('world'));
    expect(t.text()).toBe('hello world');
  });

  it('keeps the head and the tail, and says how much was left out', () => {
    const t = new BoundedText(3, 5);
    for (const piece of ['abc', 'defgh', 'ijklm', 'nopqr', 'st']) t.push(Buffer.from(piece));
    expect(t.size).toBe(20);
    expect(t.text()).toBe('abc\n…[12 bytes left out]…\npqrst');
  });
});

describe('PidMarker', () => {
  it('peels the pid line off, even split across chunks', () => {
    const rest: string[] = [];
    const m = new PidMarker((b) => rest.push(b.toString()));
    m.push(Buffer.from('hindsight-exec'));
    m.push(Buffer.from('-pid 4242\nERROR: boom\n'));
    m.push(Buffer.from('more'));
    m.end();
    expect(m.pid).toBe(4242);
    expect(rest.join('')).toBe('ERROR: boom\nmore');
  });

  it('passes anything else through untouched', () => {
    const rest: string[] = [];
    const m = new PidMarker((b) => rest.push(b.toString()));
    m.push(Buffer.from('sh: not found'));
    m.end();
    expect(m.pid).toBeUndefined();
    expect(rest.join('')).toBe('sh: not found');
  });

  it('the wrapper passes arguments as positional parameters', () => {
    expect(withPidReport(['pg_dump', '-d', "it's"])).toEqual(['sh', '-c', 'echo "hindsight-exec-pid $$" >&2 && exec "$@"', 'hindsight-exec-pid', 'pg_dump', '-d', "it's"]);
  });
});
