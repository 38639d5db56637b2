import { describe, expect, it } from 'vitest';
import { assertKey, assertPrefix, compareKeys } from './backend.js';
import { walkSorted, type DirEntry } from './walk.js';

/** A fake tree for the walker: the keys below, as directories and files. */
function treeOf(keys: string[]) {
  return async (dir: string): Promise<DirEntry[] | null> => {
    const base = dir ? `${dir}/` : '';
    if (dir && !keys.some((k) => k.startsWith(base))) return null;
    const seen = new Map<string, DirEntry>();
    for (const k of keys.filter((k) => k.startsWith(base))) {
      const rest = k.slice(base.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      seen.set(name, { name, kind: slash < 0 ? 'file' : 'dir', size: k.length });
    }
    return [...seen.values()].reverse(); // readdir order is arbitrary
  };
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const KEYS = ['a-b', 'a/x', 'a/y/z', 'a0', 'b', 'é/1', 'z/ü', 'a/x.tmp-0123456789ab', 'zz/😀', 'zz/\uffff'];

describe('walkSorted', () => {
  it('yields keys in S3 order (UTF-8 bytes), hiding temp uploads', async () => {
    const keys = (await all(walkSorted(treeOf(KEYS), ''))).map((o) => o.key);
    const expected = KEYS.filter((k) => !k.includes('.tmp-')).sort(compareKeys);
    expect(keys).toEqual(expected);
    expect(keys.slice(0, 4)).toEqual(['a-b', 'a/x', 'a/y/z', 'a0']);
    // Byte order differs from JS string order past U+FFFF.
    expect(keys.indexOf('zz/\uffff')).toBeLessThan(keys.indexOf('zz/😀'));
    expect(keys.at(-1)).toBe('é/1');
  });

  it('treats the prefix as a string prefix, like S3', async () => {
    const keys = async (p: string) => (await all(walkSorted(treeOf(KEYS), p))).map((o) => o.key);
    expect(await keys('a')).toEqual(['a-b', 'a/x', 'a/y/z', 'a0']);
    expect(await keys('a/')).toEqual(['a/x', 'a/y/z']);
    expect(await keys('a/y/z')).toEqual(['a/y/z']);
    expect(await keys('nothing/')).toEqual([]);
  });
});

describe('key validation', () => {
  it('accepts the keys of the format', () => {
    for (const k of ['hindsight-repo.json', 'snapshots/2026/11/21/x.json', 'data/id/db.sql.zst', 'a b/ü.txt']) expect(() => assertKey(k)).not.toThrow();
  });
  it('refuses keys that would escape or confuse a file system', () => {
    for (const k of ['', '/abs', 'a//b', 'a/', '../x', 'a/./b', 'a\\b', 'a\u0000b', 'x.tmp-0123456789ab', 'é'.repeat(600)]) {
      expect(() => assertKey(k), JSON.stringify(k)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
  it('prefixes may be empty or end with "/"', () => {
    for (const p of ['', 'a', 'a/', 'snapshots/2026/']) expect(() => assertPrefix(p)).not.toThrow();
    for (const p of ['/a', 'a//', '../']) expect(() => assertPrefix(p), p).toThrow();
  });
});
