import { describe, expect, it } from 'vitest';
import { MAX_PART_BYTES, MAX_PARTS, partSizeFor, tooManyPartsMessage } from './part-size.js';

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
    expect(tooManyPartsMessage('data/x/db.sql.zst', 8 * MiB, MAX_PARTS)).toMatch(/data\/x\/db\.sql\.zst grew past 78\.1 GiB, the most 10000 parts of 8 MiB can hold \(S3's limit\)/);
  });
});
