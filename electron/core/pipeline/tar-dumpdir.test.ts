/**
 * GNU listed-incremental levels through the guard: real chains made by GNU tar (files added,
 * changed, deleted, renamed, a directory renamed), each level guarded with its dumpdirs rewritten
 * under a prefix and extracted by GNU tar in order — the result compared with the tree as it was
 * at the last level; and forged dumpdirs refused before the extractor sees them.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDumpdir, parseDumpdir } from './tar-dumpdir.js';
import { EntryPolicy } from './tar-policy.js';
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

describe('a chain of three GNU tar levels, guarded and extracted in order', () => {
  const src = () => join(root, 'src');
  async function level(n: number): Promise<Buffer> {
    const file = join(root, `level${n}.tar`);
    // As the agent makes them: POSIX format, devices not compared (a volume mounted in a new helper each time).
    await sh(`tar -C '${src()}' --format=posix --numeric-owner --no-check-device --listed-incremental='${root}/snar' -cf '${file}' .`);
    return readFile(file);
  }

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

  it('without dumpdirs a restore drops them: the extractor only adds', async () => {
    const r = await guard(Buffer.concat([dirWithDumpdir('./', 'Ya\0\0'), END]), { policy: 'reject', rewrite: { prefix: 'v' } });
    expect(r.error).toBeUndefined();
    expect(r.output.includes('GNU.dumpdir')).toBe(false);
    const kept = await guard(Buffer.concat([dirWithDumpdir('./', 'Ya\0R./b\0T./c\0\0'), END]), { policy: 'reject', rewrite: { prefix: 'v' }, dumpdirs: true });
    expect(kept.output.includes('Ya\0Rv/b\0Tv/c\0\0')).toBe(true);
  });
});
