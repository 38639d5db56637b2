/**
 * GNU listed-incremental levels through the guard: real chains made by GNU tar (files added,
 * changed, deleted, renamed, a directory renamed), each level guarded with its dumpdirs rewritten
 * under a prefix and extracted by GNU tar in order — the result compared with the tree as it was
 * at the last level; and forged dumpdirs refused before the extractor sees them.
 */
import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDumpdir, parseDumpdir } from './tar-dumpdir.js';
import { EntryPolicy } from './tar-policy.js';
import { linksReplacedBy } from './tar-chain.js';
import { digestListing } from './tree-digest.js';
import { END, guard, padded, paxData, rawHeader } from './testing/tar-craft.js';
import { runCli } from './testing/sinks.js';

let root: string;

async function sh(script: string): Promise<string> {
  const r = await runCli('bash', ['-euo', 'pipefail', '-c', script]);
  if (r.code !== 0) throw new Error(`${script}: ${r.stderr}${r.stdout.toString()}`);
  return r.stdout.toString();
}

/** type, mode, size, link target and content digest of every entry, sorted: what "equal" means here. */
/** The tree digest of a folder, from the listing a restore makes of a volume (find's "%y %P\\0"). */
async function findDigest(dir: string) {
  const child = spawn('find', ['.', '!', '-type', 's', '-printf', '%y %P\\0'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  return digestListing(child.stdout);
}

async function tree(dir: string): Promise<string> {
  return sh(`cd '${dir}' && find . -mindepth 1 -printf '%y %m %s %l %P\\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum`);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hindsight-levels-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('parseDumpdir', () => {
  const dd = (s: string) => Buffer.from(s, 'utf8');
  it('reads names and renames, paths normalised', () => {
    expect(parseDumpdir(dd('Ya\0Nb\0Dc\0R./old\0T./new\0\0'))).toEqual({
      records: [
        { code: 'Y', name: 'a' },
        { code: 'N', name: 'b' },
        { code: 'D', name: 'c' },
        { code: 'R', path: 'old' },
        { code: 'T', path: 'new' },
      ],
    });
    expect(parseDumpdir(dd('\0'))).toEqual({ records: [] });
  });

  it.each([
    ['Ya/b\0\0', 'is not a single file name'],
    ['Y..\0\0', 'is not a single file name'],
    ['Y\0\0', 'is not a single file name'],
    ['Qa\0\0', 'unknown kind "Q"'],
    ['R./a\0\0', 'ends in the middle of a rename'],
    ['R./a\0Yb\0\0', 'not followed by its target'],
    ['T./a\0\0', 'without a rename'],
    ['R../etc\0T./x\0\0', 'has a ".." component'],
    ['R/etc\0T./x\0\0', 'has an absolute name'],
    ['R./\0T./x\0\0', "the archive's root"],
    ['R\0T./x\0\0', 'empty name and no temporary directory'],
    ['Ya\0', 'not terminated'],
    ['Ya\0\0Yb\0\0', 'data after the end'],
  ])('refuses %j', (text, problem) => {
    const r = parseDumpdir(dd(text));
    expect('problem' in r && r.problem).toContain(problem);
  });

  it('writes renames under the prefix, names as they are, the temporary directory in the root under the prefix', () => {
    const parsed = parseDumpdir(dd('X./\0Ya\0R./d1\0T\0R\0T./d2\0\0'));
    if ('problem' in parsed) throw new Error(parsed.problem);
    expect(encodeDumpdir(parsed.records, 'v').toString()).toBe('Xv\0Ya\0Rv/d1\0T\0R\0Tv/d2\0\0');
    expect(encodeDumpdir(parsed.records, '').toString()).toBe('X.\0Ya\0Rd1\0T\0R\0Td2\0\0');
  });
});

/** Level `n` of the folder `name` under root, as the agent makes them: POSIX format, devices not compared (a volume mounted in a new helper each time). */
async function gnuLevel(name: string, n: number): Promise<Buffer> {
  const file = join(root, `${name}-level${n}.tar`);
  await sh(`tar -C '${join(root, name)}' --format=posix --numeric-owner --no-check-device --listed-incremental='${root}/${name}.snar' -cf '${file}' .`);
  return readFile(file);
}

describe('a chain of three GNU tar levels, guarded and extracted in order', () => {
  const src = () => join(root, 'src');
  const level = (n: number) => gnuLevel('src', n);

  it('restores added, changed, deleted and renamed files and directories, tricky names included', async () => {
    await mkdir(src());
    await sh(`cd '${src()}'
      mkdir -p keep 'dir with space/sub' gone/deeper moved/inner
      echo one > keep/a; echo two > 'dir with space/f.txt'; echo three > gone/deeper/x; echo four > moved/inner/y
      echo привет > 'ünïcødé'; ln -s ../keep/a relative-link; ln -s /etc/passwd absolute-link; ln keep/a hard
      head -c 300000 /dev/urandom > big; mkfifo fifo; echo old > stale`);
    const levels = [await level(0)];
    await sh(`sleep 1.1; cd '${src()}'
      echo changed >> keep/a; rm -r gone; rm stale; mv moved renamed; echo new > renamed/inner/new
      mv 'dir with space/f.txt' 'dir with space/g.txt'; mkdir added; echo added > added/file; rm absolute-link; ln -s keep absolute-link`);
    levels.push(await level(1));
    await sh(`sleep 1.1; cd '${src()}'
      rm -r renamed/inner; echo again > keep/b; truncate -s 100 big; rm fifo; echo now-a-file > fifo`);
    levels.push(await level(2));

    const dst = join(root, 'dst');
    await mkdir(dst);
    const policy = new EntryPolicy();
    let listed = 0;
    let treeDigest = '';
    for (const [i, bytes] of levels.entries()) {
      const r = await guard(bytes, { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
      expect(r.error, String(r.error)).toBeUndefined();
      listed = r.summary.listed ?? 0;
      treeDigest = r.summary.treeDigest ?? '';
      await writeFile(join(root, `guarded${i}.tar`), r.output);
      // What the restore runs on the helper: names under "v/", extracted at the helper's root (here: dst).
      await sh(`tar -C '${dst}' -x --listed-incremental=/dev/null --numeric-owner -f '${root}/guarded${i}.tar'`);
    }
    expect(await tree(join(dst, 'v'))).toBe(await tree(src()));
    // The last level's dumpdirs list the whole tree: what a verify counts after the restore.
    expect(listed).toBe(Number((await sh(`find '${src()}' | wc -l`)).trim()));
    // The digest of the last level's listings is the one of the tree, both at the source and restored —
    // and no longer once one entry more is there.
    const source = await findDigest(src());
    expect(source).toEqual({ entries: listed, digest: treeDigest });
    expect(await findDigest(join(dst, 'v'))).toEqual(source);
    await writeFile(join(dst, 'v', 'keep', 'stray'), 'x');
    expect((await findDigest(join(dst, 'v'))).digest).not.toBe(treeDigest);
    // The deletions happened: a level-by-level merge alone would have kept them.
    await expect(sh(`test ! -e '${dst}/v/gone' && test ! -e '${dst}/v/stale' && test ! -e '${dst}/v/renamed/inner'`)).resolves.toBe('');
  }, 60_000);
});

/**
 * What restore-levels.ts does with each level, on a local folder: the links a level replaces found
 * by a dry pass, removed from the target by name, forgotten; then the level guarded and extracted.
 */
async function restoreChain(levels: Buffer[], dst: string): Promise<string[][]> {
  const policy = new EntryPolicy();
  const removed: string[][] = [];
  for (const [i, bytes] of levels.entries()) {
    const links = i > 0 && policy.madeSymlinks ? await linksReplacedBy(Readable.from([bytes]), policy) : [];
    for (const l of links) if ((await lstat(join(dst, 'v', l)).catch(() => undefined))?.isSymbolicLink()) await unlink(join(dst, 'v', l));
    policy.forget(links);
    removed.push(links);
    const r = await guard(bytes, { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
    if (r.error) throw r.error;
    await writeFile(join(root, `chain${i}.tar`), r.output);
    await sh(`tar -C '${dst}' -x --listed-incremental=/dev/null --numeric-owner -f '${root}/chain${i}.tar'`);
  }
  return removed;
}

describe('a later level that replaces a symbolic link of an earlier one', () => {
  const src = () => join(root, 'links-src');
  const level = (n: number) => gnuLevel('links-src', n);

  it('restores links replaced by a directory, by a file, deleted, kept — and the places they pointed at stay untouched', async () => {
    const outside = join(root, 'outside');
    await mkdir(join(outside, 'sub'), { recursive: true });
    await writeFile(join(outside, 'sub', 'precious'), 'do not touch');
    await mkdir(src());
    await sh(`cd '${src()}'
      mkdir keep; echo one > keep/a
      ln -s keep to-dir; ln -s '${outside}/sub' abs-to-dir; ln -s keep/a to-file; ln -s /etc/passwd goes; ln -s keep stays
      mkdir nested; ln -s ../keep nested/link`);
    const levels = [await level(0)];
    await sh(`sleep 1.1; cd '${src()}'
      rm to-dir abs-to-dir to-file goes nested/link
      mkdir to-dir abs-to-dir nested/link; echo two > to-dir/new; echo three > abs-to-dir/precious; echo four > to-file; echo five > nested/link/x
      ln -s keep/a made-now`);
    levels.push(await level(1));
    await sh(`sleep 1.1; cd '${src()}'
      rm made-now; mkdir made-now; echo six > made-now/y`);
    levels.push(await level(2));

    const dst = join(root, 'links-dst');
    await mkdir(dst);
    const removed = await restoreChain(levels, dst);
    expect(removed[0]).toEqual([]);
    expect([...removed[1]!].sort()).toEqual(['abs-to-dir', 'nested/link', 'to-dir', 'to-file']);
    // A link made by level 1 and replaced by level 2: removed before level 2 in its turn.
    expect(removed[2]).toEqual(['made-now']);
    expect(await tree(join(dst, 'v'))).toBe(await tree(src()));
    // Nothing went through a link: where they pointed is as it was.
    expect(await readFile(join(outside, 'sub', 'precious'), 'utf8')).toBe('do not touch');
    expect(await readFile(join(src(), 'keep', 'a'), 'utf8')).toBe('one\n');
    expect(await readFile(join(dst, 'v', 'keep', 'a'), 'utf8')).toBe('one\n');
  }, 60_000);
});

describe('forged levels', () => {
  function dirWithDumpdir(name: string, dumpdir: string): Buffer {
    const pax = paxData({ 'GNU.dumpdir': dumpdir });
    return Buffer.concat([rawHeader({ name: `PaxHeaders/${name}`, type: 'x', size: pax.length }), padded(pax), rawHeader({ name, type: '5' })]);
  }

  it('a rename out of the archive is refused', async () => {
    const r = await guard(Buffer.concat([dirWithDumpdir('./', 'R./x\0T../../etc/cron.d\0\0'), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true });
    expect(String(r.error)).toContain('has a ".." component');
    expect(r.output.length).toBe(0);
  });

  it('a rename through a symbolic link an earlier level made is refused', async () => {
    const policy = new EntryPolicy();
    const first = await guard(Buffer.concat([rawHeader({ name: './' , type: '5' }), rawHeader({ name: './out', type: '2', linkname: '/' }), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
    expect(first.error).toBeUndefined();
    const second = await guard(Buffer.concat([dirWithDumpdir('./', 'Dout\0R./data\0T./out/etc\0\0'), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
    expect(String(second.error)).toContain('"out/etc" lies under "out", a symbolic link');
  });

  it('an entry under a symbolic link an earlier level made is refused', async () => {
    const policy = new EntryPolicy();
    await guard(Buffer.concat([rawHeader({ name: './link', type: '2', linkname: '/etc' }), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
    const second = await guard(Buffer.concat([rawHeader({ name: './link/passwd', size: 0 }), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
    expect(String(second.error)).toContain('lies under "link", a symbolic link');
  });

  it('a dry pass notes an earlier level\'s link an entry goes under; only a link removed is forgotten', async () => {
    const policy = new EntryPolicy();
    await guard(Buffer.concat([rawHeader({ name: './link', type: '2', linkname: '/etc' }), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
    const forged = Buffer.concat([rawHeader({ name: './link/passwd', size: 0 }), END]);
    expect(await linksReplacedBy(Readable.from([forged]), policy)).toEqual(['link']);
    // The dry pass changed nothing: until the link is removed and forgotten, the entry is refused.
    expect(String((await guard(forged, { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy })).error)).toContain('lies under "link"');
    policy.forget(['link']);
    const after = await guard(forged, { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
    expect(after.error).toBeUndefined();
  });

  it('a link the same level makes is never passed through, even in a dry pass', async () => {
    const policy = new EntryPolicy();
    await guard(Buffer.concat([rawHeader({ name: './old', type: '2', linkname: '/' }), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true, entries: policy });
    const level = Buffer.concat([rawHeader({ name: './new', type: '2', linkname: '/' }), rawHeader({ name: './new/etc/x', size: 0 }), END]);
    await expect(linksReplacedBy(Readable.from([level]), policy)).rejects.toThrow('lies under "new"');
    // An earlier link replaced by a link of this level is this level's link.
    const relinked = Buffer.concat([rawHeader({ name: './old', type: '2', linkname: '/tmp' }), rawHeader({ name: './old/x', size: 0 }), END]);
    await expect(linksReplacedBy(Readable.from([relinked]), policy)).rejects.toThrow('lies under "old"');
  });

  it('forgets no link with another link above it', () => {
    const policy = new EntryPolicy();
    policy.record({ kind: 'symlink', name: 'a', otherNames: [], linkname: '/' });
    // Recorded as if "a/b" was a link too (an archive cannot make one under a link: the guard refuses it).
    policy.record({ kind: 'symlink', name: 'a/b', otherNames: [], linkname: '/' });
    expect(policy.removableLink('a/b')).toBe(false);
    expect(policy.removableLink('a')).toBe(true);
    expect(policy.removableLink('./a')).toBe(false);
    policy.forget(['a/b']);
    expect(policy.check({ kind: 'file', name: 'a/b/c', otherNames: [], linkname: '' })).toContain('lies under "a"');
  });

  it('without dumpdirs a restore drops them: the extractor only adds', async () => {
    const r = await guard(Buffer.concat([dirWithDumpdir('./', 'Ya\0\0'), END]), { policy: 'reject', rewrite: { prefix: 'v' } });
    expect(r.error).toBeUndefined();
    expect(r.output.includes('GNU.dumpdir')).toBe(false);
    const kept = await guard(Buffer.concat([dirWithDumpdir('./', 'Ya\0R./b\0T./c\0\0'), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true });
    expect(kept.output.includes('Ya\0Rv/b\0Tv/c\0\0')).toBe(true);
  });
});
