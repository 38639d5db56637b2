import { describe, expect, it } from 'vitest';
import { LineSplitter, LogDemuxer, MAX_LINE_BYTES, TRUNCATED_MARK, splitTimestamp, type LogStream } from './log-lines.js';

function frame(stream: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Feeds `data` to `push` in pieces of the given sizes (cycling), to cut at awkward places. */
function feed(data: Buffer, sizes: number[], push: (b: Buffer) => void) {
  let i = 0;
  let k = 0;
  while (i < data.length) {
    const n = sizes[k++ % sizes.length]!;
    push(data.subarray(i, i + n));
    i += n;
  }
}

describe('LineSplitter', () => {
  it('joins lines across chunks and keeps multi-byte characters whole', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    feed(Buffer.from('héllo wörld\nsecond line €\r\n\nlast'), [1, 2, 3], (b) => s.push(b));
    expect(lines).toEqual(['héllo wörld', 'second line €', '']);
    s.end();
    expect(lines).toEqual(['héllo wörld', 'second line €', '', 'last']);
  });

  it('cuts a runaway line at the cap, marks it, and resumes at the next line', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 10);
    s.push(Buffer.from('0123456'));
    s.push(Buffer.from('789abcdefghij'));
    s.push(Buffer.from('klm\nok\n'));
    expect(lines).toEqual(['0123456789' + TRUNCATED_MARK, 'ok']);
  });

  it('holds at most the cap in memory for an endless line', () => {
    let count = 0;
    const s = new LineSplitter(() => count++);
    const mb = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 8; i++) s.push(mb);
    expect(count).toBe(1);
    expect(MAX_LINE_BYTES).toBe(65536);
  });
});

describe('LogDemuxer', () => {
  it('separates stdout and stderr frames, whatever the chunking', () => {
    const data = Buffer.concat([frame(1, 'out one\nout '), frame(2, 'err one\n'), frame(1, 'two\n'), frame(2, Buffer.from('€\n'))]);
    for (const sizes of [[1], [3, 5], [7], [data.length]]) {
      const got: Record<LogStream, string[]> = { stdout: [], stderr: [] };
      const splitters = {
        stdout: new LineSplitter((l) => got.stdout.push(l)),
        stderr: new LineSplitter((l) => got.stderr.push(l)),
      };
      const demux = new LogDemuxer((stream, bytes) => splitters[stream].push(bytes));
      feed(data, sizes, (b) => demux.push(b));
      expect(got).toEqual({ stdout: ['out one', 'out two'], stderr: ['err one', '€'] });
    }
  });

  it('handles empty frames', () => {
    const seen: string[] = [];
    const demux = new LogDemuxer((s, b) => seen.push(`${s}:${b.toString()}`));
    demux.push(Buffer.concat([frame(1, ''), frame(2, 'x')]));
    expect(seen).toEqual(['stderr:x']);
  });
});

describe('splitTimestamp', () => {
  it('takes the engine timestamp off the front of the line', () => {
    expect(splitTimestamp('2026-11-21T22:15:30.123456789Z hello world')).toEqual({
      ts: '2026-11-21T22:15:30.123456789Z',
      line: 'hello world',
    });
    expect(splitTimestamp('2026-11-21T22:15:30Z ')).toEqual({ ts: '2026-11-21T22:15:30Z', line: '' });
    const plain = splitTimestamp('no timestamp here');
    expect(plain.line).toBe('no timestamp here');
    expect(Number.isNaN(Date.parse(plain.ts))).toBe(false);
  });
});
