import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { needsBufferAccountingFlag } from './heap-accounting.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing/buffer-churn.ts');

/** Full collections of one run of the fixture, from its --trace-gc lines. */
function markCompacts(mode: 'count' | 'default'): { count: number; set: boolean } {
  const r = spawnSync(process.execPath, ['--trace-gc', '--import', 'tsx', fixture, mode], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return { count: (r.stdout.match(/Mark-Compact/g) ?? []).length, set: /flag set: true/.test(r.stdout) };
}

describe('counting Buffers in the heap limit', () => {
  it('asks for the flag on V8 13 to 14.7, and on none after (nor on those older than any supported runtime)', () => {
    for (const v of ['13.0.245.25', '13.6.233.10-node.27', '14.6.202.9', '14.7.1']) expect(needsBufferAccountingFlag(v), v).toBe(true);
    for (const v of ['14.8.0', '14.10.3', '15.0.1', '11.3.244.8-node.33', '12.4.254.21-node.33']) expect(needsBufferAccountingFlag(v), v).toBe(false);
  });

  it('a process moving 1 GiB through Buffers it drops runs a quarter of the full collections or fewer', () => {
    const without = markCompacts('default');
    const counted = markCompacts('count');
    expect(without.set).toBe(false);
    expect(counted.set).toBe(needsBufferAccountingFlag(process.versions.v8));
    if (!counted.set) return; // a V8 that counts them so by itself: nothing to compare
    expect(without.count).toBeGreaterThanOrEqual(8);
    expect(counted.count).toBeLessThanOrEqual(without.count / 4);
  });
});
