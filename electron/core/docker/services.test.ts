import { describe, expect, it } from 'vitest';
import { createdNs } from './services.js';

describe('createdNs', () => {
  it('orders engine timestamps by their real time, whatever the fraction length', () => {
    const t = ['2026-11-21T22:52:21.5Z', '2026-11-21T22:52:21.52Z', '2026-11-21T22:52:21.123456789Z', '2026-11-21T22:52:21Z'];
    const sorted = [...t].sort((a, b) => (createdNs(a) < createdNs(b) ? -1 : 1));
    expect(sorted).toEqual(['2026-11-21T22:52:21Z', '2026-11-21T22:52:21.123456789Z', '2026-11-21T22:52:21.5Z', '2026-11-21T22:52:21.52Z']);
    expect(createdNs('2026-11-21T23:52:21.000000001+01:00')).toBe(createdNs('2026-11-21T22:52:21.000000001Z'));
  });
});
