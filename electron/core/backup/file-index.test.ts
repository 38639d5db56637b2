import { describe, expect, it } from 'vitest';
import { buildDirectoryIndex, listDirectory, normalizeDir } from './file-index.js';
import { Lru } from './lru.js';

const line = (path: string, type: string, size = 0) => ({ path, type, size, mode: type === 'dir' ? 0o755 : 0o644, mtime: 1000, uid: 0, gid: 0 });

describe('file index directories', () => {
  const index = buildDirectoryIndex([
    line('.', 'dir'),
    line('b.txt', 'file', 5),
    line('a', 'dir'),
    line('a/x.bin', 'file', 100),
    line('a/sub', 'dir'),
    line('a/sub/deep.txt', 'file', 1),
    { ...line('link', 'symlink'), linkname: 'a/x.bin' },
    line('implicit/child.txt', 'file', 3), // no entry for "implicit"
    line('Z', 'file'),
  ]);

  it('lists the root: directories first, then by name; children counted; links keep their target', () => {
    const root = listDirectory(index, '', 100);
    expect(root.entries.map((e) => e.name)).toEqual(['a', 'implicit', 'Z', 'b.txt', 'link']);
    expect(root.entries[0]).toMatchObject({ path: 'a', type: 'dir', children: 2 });
    expect(root.entries[1]).toMatchObject({ path: 'implicit', type: 'dir', children: 1 });
    expect(root.entries.find((e) => e.name === 'link')).toMatchObject({ type: 'symlink', linkname: 'a/x.bin' });
    expect(root.entries.find((e) => e.name === 'b.txt')!.children).toBeUndefined();
    expect(root).toMatchObject({ dir: '', total: 5, truncated: false });
  });

  it('lists a subdirectory by any spelling, with limit and truncated', () => {
    for (const dir of ['a', './a', '/a/', 'a/']) expect(listDirectory(index, dir, 100).entries.map((e) => e.path)).toEqual(['a/sub', 'a/x.bin']);
    expect(listDirectory(index, 'a', 1)).toMatchObject({ dir: 'a', total: 2, truncated: true, entries: [{ path: 'a/sub' }] });
    expect(listDirectory(index, 'a/sub', 10).entries).toEqual([expect.objectContaining({ name: 'deep.txt', size: 1 })]);
  });

  it('an unknown directory (or a file) is NOT_FOUND', () => {
    expect(() => listDirectory(index, 'nope', 10)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => listDirectory(index, 'b.txt', 10)).toThrow(/no directory "b.txt"/);
  });

  it('a directory seen after its children takes its real attributes', () => {
    const late = buildDirectoryIndex([line('d/f', 'file'), { ...line('d', 'dir'), mode: 0o700 }]);
    expect(listDirectory(late, '', 10).entries).toEqual([expect.objectContaining({ path: 'd', mode: 0o700, children: 1 })]);
  });

  it('normalizeDir', () => {
    expect(['.', '/', '', './', 'a/b/', './a'].map(normalizeDir)).toEqual(['', '', '', '', 'a/b', 'a']);
  });
});

describe('Lru', () => {
  it('evicts the least recently used beyond its weight or count', () => {
    const lru = new Lru<string, number>(10, 3);
    lru.set('a', 1, 4);
    lru.set('b', 2, 4);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3, 4); // 12 > 10: b goes
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
    lru.set('big', 9, 50); // alone over the bound: kept, everything else evicted
    expect([lru.size, lru.get('big')]).toEqual([1, 9]);
    const few = new Lru<string, number>(100, 2);
    few.set('x', 1);
    few.set('y', 2);
    few.set('z', 3);
    expect([few.get('x'), few.size]).toEqual([undefined, 2]);
  });
});
