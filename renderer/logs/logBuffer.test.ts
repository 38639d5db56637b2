import { describe, expect, it } from 'vitest';
import { appendBounded, filterEntries, lowerBoundSeq, toText, type LogEntry } from './logBuffer';

const entry = (seq: number, line = `line ${seq}`, stream: 'stdout' | 'stderr' = 'stdout'): LogEntry => ({ seq, line, stream, ts: '2026-01-02T03:04:05.000Z' });
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('appendBounded', () => {
  it('appends while under the bound', () => {
    expect(appendBounded([1, 2], [3], 5)).toEqual([1, 2, 3]);
  });
  it('drops the oldest beyond the bound', () => {
    expect(appendBounded(range(0, 5), range(5, 3), 5)).toEqual([3, 4, 5, 6, 7]);
  });
  it('keeps only the tail of a batch larger than the bound', () => {
    expect(appendBounded(range(0, 3), range(100, 12), 5)).toEqual([107, 108, 109, 110, 111]);
  });
  it('returns the same array for an empty batch (no re-render)', () => {
    const buf = [1, 2];
    expect(appendBounded(buf, [], 5)).toBe(buf);
  });
  it('stays bounded through a flood of batches', () => {
    let buf: readonly number[] = [];
    for (let i = 0; i < 1000; i++) buf = appendBounded(buf, range(i * 100, 100), 10_000);
    expect(buf.length).toBe(10_000);
    expect(buf[0]).toBe(90_000);
    expect(buf.at(-1)).toBe(99_999);
  });
});

describe('filterEntries', () => {
  const all = [entry(1, 'GET /health 200'), entry(2, 'ERROR: disk full', 'stderr'), entry(3, 'get /shop 500')];
  it('matches substrings case-insensitively', () => {
    expect(filterEntries(all, 'get').map((e) => e.seq)).toEqual([1, 3]);
    expect(filterEntries(all, 'error').map((e) => e.seq)).toEqual([2]);
  });
  it('keeps everything for an empty query', () => {
    expect(filterEntries(all, '  ')).toBe(all);
  });
});

describe('lowerBoundSeq', () => {
  const es = [entry(3), entry(5), entry(9)];
  it('finds the anchor or the next line after it', () => {
    expect(lowerBoundSeq(es, 5)).toBe(1);
    expect(lowerBoundSeq(es, 6)).toBe(2);
    expect(lowerBoundSeq(es, 1)).toBe(0);
    expect(lowerBoundSeq(es, 10)).toBe(3);
  });
});

describe('toText', () => {
  it('gives raw lines for the clipboard and timestamped ones for a file', () => {
    const es = [entry(1, 'a'), entry(2, 'b', 'stderr')];
    expect(toText(es, false)).toBe('a\nb\n');
    expect(toText(es, true)).toBe('2026-01-02T03:04:05.000Z a\n2026-01-02T03:04:05.000Z [stderr] b\n');
  });
});
