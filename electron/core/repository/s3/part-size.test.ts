import { describe, expect, it } from 'vitest';
import { MAX_PART_BYTES, MAX_PARTS, partSizeFor, tooManyPartsMessage } from './part-size.js';
import { growingCapacity, partSizeAt } from './growing-upload.js';

const MiB = 1 << 20;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe('multipart part sizes', () => {
  it('keeps the configured size for an unknown or small object', () => {
    expect(partSizeFor(undefined, 8 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(0, 8 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(1 * GiB, 8 * MiB)).toBe(8 * MiB);
    // Never below S3's 5 MiB minimum.
    expect(partSizeFor(undefined, 1 * MiB)).toBe(5 * MiB);
  });

  it('grows so the object fits in 10,000 parts with a quarter to spare, in whole MiB', () => {
    for (const size of [78 * GiB, 100 * GiB, 757 * GiB, 5 * TiB]) {
      const part = partSizeFor(size, 8 * MiB);
      expect(part % MiB).toBe(0);
      expect(part * MAX_PARTS).toBeGreaterThanOrEqual(size * 1.25);
      expect(part).toBeLessThanOrEqual(MAX_PART_BYTES);
    }
    expect(partSizeFor(757 * GiB, 8 * MiB)).toBe(97 * MiB);
    expect(partSizeFor(5 * TiB, 8 * MiB)).toBe(656 * MiB);
    // Beyond what S3 can take at all: its 5 GiB maximum.
    expect(partSizeFor(100 * TiB, 8 * MiB)).toBe(MAX_PART_BYTES);
  });

  it('says why an upload was stopped', () => {
    expect(tooManyPartsMessage('data/x/db.sql.zst', 8 * MiB * MAX_PARTS, MAX_PARTS, false)).toMatch(/data\/x\/db\.sql\.zst grew past 78\.1 GiB, the most 10000 parts can hold \(S3's limit\)/);
    expect(tooManyPartsMessage('x', growingCapacity(8 * MiB, MAX_PARTS), MAX_PARTS, true)).toMatch(/x grew past 7992\.2 GiB, the most 10000 growing parts can hold/);
  });

  it('growing parts: the configured size for the first thousand, doubled each further thousand; 10,000 hold 5 TiB', () => {
    expect(partSizeAt(1, 8 * MiB, MAX_PARTS)).toBe(8 * MiB);
    expect(partSizeAt(1000, 8 * MiB, MAX_PARTS)).toBe(8 * MiB);
    expect(partSizeAt(1001, 8 * MiB, MAX_PARTS)).toBe(16 * MiB);
    expect(partSizeAt(10_000, 8 * MiB, MAX_PARTS)).toBe(4 * GiB);
    expect(growingCapacity(8 * MiB, MAX_PARTS)).toBeGreaterThanOrEqual(5 * TiB);
    for (let n = 1; n <= MAX_PARTS; n += 999) {
      expect(partSizeAt(n, 8 * MiB, MAX_PARTS)).toBeGreaterThanOrEqual(5 * MiB);
      expect(partSizeAt(n, 8 * MiB, MAX_PARTS)).toBeLessThanOrEqual(MAX_PART_BYTES);
    }
    // Where the fixed 8 MiB parts stopped, growing ones reach: 78 GiB after about 3,400 parts (8, 16, 32 MiB, then 64).
    let total = 0;
    let n = 0;
    while (total < 78 * GiB) total += partSizeAt(++n, 8 * MiB, MAX_PARTS);
    expect(n).toBeLessThan(3400);
    // A test's 3 parts from 5 MiB: 5 + 10 + 20.
    expect(growingCapacity(5 * MiB, 3)).toBe(35 * MiB);
  });
});
