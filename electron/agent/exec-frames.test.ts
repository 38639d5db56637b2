import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, MAX_FRAME_BYTES } from './exec-frames.js';

describe('exec frames', () => {
  it('come back whole from any cut of the stream, in order', () => {
    const bytes = Buffer.concat([encodeFrame('h', '{"argv":["status"]}'), encodeFrame('i', Buffer.from([0, 1, 2, 255])), encodeFrame('z'), encodeFrame('x', '3')]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const reader = new FrameReader();
      const frames = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      expect(frames.map((f) => [f.kind, f.payload.toString('latin1')])).toEqual([
        ['h', '{"argv":["status"]}'],
        ['i', '\x00\x01\x02\xff'],
        ['z', ''],
        ['x', '3'],
      ]);
      expect(reader.pending).toBe(0);
    }
  });

  it('refuse what no peer of ours sends: an unknown kind, a frame too large', () => {
    expect(() => new FrameReader().push(Buffer.from('q\0\0\0\0'))).toThrow(/unknown frame/);
    const head = Buffer.alloc(5);
    head.write('o', 0, 'latin1');
    head.writeUInt32BE(MAX_FRAME_BYTES + 1, 1);
    expect(() => new FrameReader().push(head)).toThrow(/a frame of/);
  });
});
