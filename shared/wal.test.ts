import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn, parseSegmentName, recoverableWindows, segmentName, segmentOf, windowFor, type ArchivedSegment, type BaseBackupInfo } from './wal.js';

const at = (iso: string) => new Date(iso);
const seg = (i: number, tli = 1) => segmentName({ timeline: tli, index: BigInt(i) });

describe('WAL positions and segments', () => {
  it('reads and writes LSNs', () => {
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(formatLsn(parseLsn('0/4000000'))).toBe('0/4000000');
    expect(() => parseLsn('16-B374')).toThrow(/not a WAL position/);
  });

  it('names segments as PostgreSQL does (16 MiB: 256 per log)', () => {
    expect(segmentName(segmentOf(parseLsn('0/4000000'), 1))).toBe('000000010000000000000004');
    expect(segmentName(segmentOf(parseLsn('16/B374D848'), 1))).toBe('0000000100000016000000B3');
    expect(parseSegmentName('0000000100000016000000B3')).toEqual({ timeline: 1, index: 0x16n * 256n + 0xb3n });
    expect(segmentName(parseSegmentName('00000002000000010000000F')!)).toBe('00000002000000010000000F');
    for (const bad of ['000000010000000000000004.partial', '00000002.history', '0000000100000001000001FF', 'nope']) expect(parseSegmentName(bad)).toBeUndefined();
  });
});

describe('recoverable windows', () => {
  const base: BaseBackupInfo = { id: 'b1', timeline: 1, startLsn: parseLsn('0/3000028'), endLsn: parseLsn('0/4000100'), endedAt: at('2026-12-01T02:00:10Z') };
  const archived = (indexes: number[], start = Date.parse('2026-12-01T02:00:05Z')): ArchivedSegment[] => indexes.map((i, n) => ({ name: seg(i), receivedAt: new Date(start + n * 600_000) }));

  it('runs from the end of the base backup to the last segment before a gap', () => {
    const w = recoverableWindows([base], archived([3, 4, 5, 6, 8, 9]));
    expect(w).toEqual([{ baseId: 'b1', from: base.endedAt, to: new Date(Date.parse('2026-12-01T02:00:05Z') + 3 * 600_000), segments: [seg(3), seg(4), seg(5), seg(6)] }]);
    expect(windowFor(w, at('2026-12-01T02:20:00Z'))?.baseId).toBe('b1');
    expect(windowFor(w, at('2026-12-01T02:00:00Z'))).toBeUndefined(); // before the backup ended
    expect(windowFor(w, at('2026-12-01T03:00:00Z'))).toBeUndefined(); // after the gap
  });

  it('leaves out a base backup whose own WAL is not whole, and prefers the newest that can', () => {
    expect(recoverableWindows([base], archived([3, 5, 6]))).toEqual([]);
    const newer: BaseBackupInfo = { id: 'b2', timeline: 1, startLsn: parseLsn('0/6000028'), endLsn: parseLsn('0/6000100'), endedAt: at('2026-12-01T02:25:00Z') };
    const w = recoverableWindows([base, newer], archived([3, 4, 5, 6, 7]));
    expect(w.map((x) => x.baseId)).toEqual(['b2', 'b1']);
    expect(windowFor(w, at('2026-12-01T02:30:00Z'))?.baseId).toBe('b2');
    expect(windowFor(w, at('2026-12-01T02:10:00Z'))?.baseId).toBe('b1');
  });

  it('does not cross into another timeline', () => {
    const other = [...archived([3, 4]), { name: seg(5, 2), receivedAt: at('2026-12-01T03:00:00Z') }];
    expect(recoverableWindows([base], other)[0]?.segments).toEqual([seg(3), seg(4)]);
  });
});
