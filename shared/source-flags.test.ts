import { describe, expect, it } from 'vitest';
import { parseFullEvery, specsFromFlags } from './source-flags.js';

describe('source flags', () => {
  it('every kind from its flag, volumes in levels only when asked', () => {
    expect(specsFromFlags({ volume: ['data'], postgres: ['db/shop'], directory: ['app:/etc/app'] })).toEqual([
      { kind: 'volume', volume: 'data' },
      { kind: 'postgres', container: 'db', mode: 'database', database: 'shop', user: 'postgres' },
      { kind: 'directory', container: 'app', path: '/etc/app' },
    ]);
    const levels = specsFromFlags({ volume: ['data'], mariadb: ['maria'], incremental: true, fullEvery: '2w' });
    expect(levels).toEqual([
      { kind: 'volume', volume: 'data', incremental: { fullEvery: { days: 14 } } },
      { kind: 'mariadb', container: 'maria' },
    ]);
    expect(specsFromFlags({ volume: ['data'], incremental: true })[0]).toMatchObject({ incremental: { fullEvery: { days: 7 } } });
  });

  it('--full-every: days, weeks or levels, and only with --incremental', () => {
    expect(parseFullEvery('7d')).toEqual({ days: 7 });
    expect(parseFullEvery('1 week')).toEqual({ days: 7 });
    expect(parseFullEvery('10levels')).toEqual({ levels: 10 });
    expect(parseFullEvery('30 levels')).toEqual({ levels: 30 });
    for (const bad of ['0d', '400d', '1levels', '7', '7x', 'weekly']) expect(() => parseFullEvery(bad)).toThrow(/--full-every/);
    expect(() => specsFromFlags({ volume: ['data'], fullEvery: '7d' })).toThrow('--full-every goes with --incremental.');
  });
});
