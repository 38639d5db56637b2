import { describe, expect, it } from 'vitest';
import { buildDirectoryIndex, listDirectory, normalizeDir } from './file-index.js';
import { SnapshotSummaryCache, SUMMARY_CACHE_BYTES } from './snapshot-summaries.js';

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

describe('caches bounded in bytes', () => {
  it('the summary cache stays under its byte bound however many (and however large) summaries go in', () => {
    const cache = new SnapshotSummaryCache();
    const note = 'n'.repeat(10_000);
    for (let i = 0; i < 5_000; i++) cache.manifests.set(`k${i}`, { id: `s${i}`, note } as never);
    expect(cache.manifests.calculatedSize).toBeLessThanOrEqual(SUMMARY_CACHE_BYTES);
    expect(cache.manifests.size).toBeLessThan(5_000);
    expect(cache.manifests.get('k4999')).toBeDefined();
    expect(cache.manifests.get('k0')).toBeUndefined();
  });
});
