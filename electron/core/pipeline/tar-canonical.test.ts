/**
 * The canonical rewrite of a restore (TarGuard with `rewrite`): one attack class per test. Each
 * archive is crafted so that two fields name an entry differently; the rewritten archive must name
 * it once, under the prefix, and GNU tar extracting it must create nothing outside the prefix.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { isUnsafeArchiveError } from './errors.js';
import { END, guard, packTar, padded, paxData, rawHeader } from './testing/tar-craft.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hindsight-canonical-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const PREFIX = 'v';
const rewrite = { policy: 'reject' as const, rewrite: { prefix: PREFIX } };

function pax(records: Record<string, string>): Buffer {
  const data = paxData(records);
  return Buffer.concat([rawHeader({ name: 'PaxHeader', type: 'x', size: data.length }), padded(data)]);
}
function gnuLong(type: 'L' | 'K', name: string): Buffer {
  const data = Buffer.from(name + '\0');
  return Buffer.concat([rawHeader({ name: '././@LongLink', type, size: data.length, magic: 'gnu' }), padded(data)]);
}
function fileEntry(name: string, content: string, extra: Parameters<typeof rawHeader>[0] = { name }): Buffer {
  return Buffer.concat([rawHeader({ ...extra, name, size: content.length }), padded(Buffer.from(content))]);
}
const root = rawHeader({ name: './', type: '5' });

/** Every path GNU tar creates when extracting `archive` in a fresh directory (relative, sorted). */
function extractedPaths(archive: Buffer): string[] {
  const dir = fs.mkdtempSync(path.join(work, 'x-'));
  execFileSync('tar', ['-C', dir, '-xf', '-'], { input: archive });
  const out = execFileSync('find', ['.', '-mindepth', '1'], { cwd: dir, encoding: 'utf8' });
  return out.split('\n').filter(Boolean).sort();
}

/** What a second reader (tar-stream) sees: names and link names. */
async function listed(archive: Buffer): Promise<Array<[string, string | null]>> {
  const ex = tar.extract();
  const seen: Array<[string, string | null]> = [];
  ex.on('entry', (h, stream, next) => {
    seen.push([h.name, h.linkname ?? null]);
    stream.resume();
    stream.on('end', next);
  });
  await pipeline(Readable.from([archive]), ex);
  return seen;
}

async function rewritten(archive: Buffer): Promise<Buffer> {
  const r = await guard(archive, rewrite, 777);
  if (r.error) throw r.error;
  return r.output;
}

const underPrefix = (p: string) => p === `./${PREFIX}` || p.startsWith(`./${PREFIX}/`);

describe('one name per entry, under the prefix', () => {
  it('a pax path and a different GNU.sparse.name (GNU tar honours the latter, Go only for sparse files)', async () => {
    const archive = Buffer.concat([
      root,
      pax({ path: './innocent', 'GNU.sparse.name': './etc/cron.d/evil', 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '5' }),
      fileEntry('./GNUSparseFile.1/innocent', '1\n0\n5\n'.padEnd(512, '\0') + 'evil!'),
      END,
    ]);
    const out = await rewritten(archive);
    const names = (await listed(out)).map(([n]) => n);
    expect(names).toEqual(['v/', 'v/etc/cron.d/evil']);
    // The sparse name, path and header agree: whichever an extractor reads, it is this one.
    expect(out.toString('latin1')).not.toContain('innocent');
    expect(extractedPaths(out).every(underPrefix)).toBe(true);
  });

  it('a GNU long name and a pax path that disagree: the long-name entry is dropped', async () => {
    const archive = Buffer.concat([root, gnuLong('L', './etc/passwd'), pax({ path: './a' }), fileEntry('./a', 'x', { name: './a', magic: 'gnu' }), END]);
    const out = await rewritten(archive);
    expect(await listed(out)).toEqual([
      ['v/', null],
      ['v/a', null],
    ]);
    expect(out.toString('latin1')).not.toContain('etc/passwd');
    expect(extractedPaths(out)).toEqual(['./v', './v/a']);
  });

  it('a hard link whose GNU long link name and pax linkpath disagree', async () => {
    const archive = Buffer.concat([root, fileEntry('./f', 'x'), gnuLong('K', '/etc/shadow'), pax({ linkpath: './f' }), rawHeader({ name: './h', type: '1', linkname: './f' }), END]);
    const r = await guard(archive, rewrite);
    // The guard checks the name the extractor would use (pax first): the rewrite then drops the other.
    if (r.error) expect(isUnsafeArchiveError(r.error)).toBe(true);
    else {
      expect(await listed(r.output)).toEqual([
        ['v/', null],
        ['v/f', null],
        ['v/h', 'v/f'],
      ]);
      expect(r.output.toString('latin1')).not.toContain('shadow');
    }
  });

  it('a ustar prefix field in a GNU-format header (GNU readers ignore it, ustar readers do not)', async () => {
    const h = rawHeader({ name: 'x', magic: 'gnu', size: 1, patch: Object.fromEntries([...Buffer.from('etc')].map((b, i) => [345 + i, b])) });
    const out = await rewritten(Buffer.concat([root, h, padded(Buffer.from('x')), END]));
    expect((await listed(out)).map(([n]) => n)).toEqual(['v/', 'v/x']);
    expect(extractedPaths(out)).toEqual(['./v', './v/x']);
  });

  it('a global pax header is dropped (with no name, size or path in it), and a trailing one too', async () => {
    const g = paxData({ comment: 'hi' });
    const global = Buffer.concat([rawHeader({ name: 'g', type: 'g', size: g.length }), padded(g)]);
    const out = await rewritten(Buffer.concat([root, global, fileEntry('./a', 'x'), global, END]));
    expect(out.toString('latin1')).not.toContain('comment=hi');
    expect(extractedPaths(out)).toEqual(['./v', './v/a']);
  });

  it('pax records not understood are dropped; times, owners, user xattrs and ACLs are kept', async () => {
    const archive = Buffer.concat([
      root,
      pax({ mtime: '1700000000.5', uname: 'alice', 'SCHILY.xattr.user.note': 'kept', 'SCHILY.xattr.security.capability': 'dropped', 'LIBARCHIVE.xattr.user.x': 'dropped', 'SCHILY.filetype': 'socket' }),
      fileEntry('./a', 'x'),
      END,
    ]);
    const text = (await rewritten(archive)).toString('latin1');
    expect(text).toContain('mtime=1700000000.5');
    expect(text).toContain('SCHILY.xattr.user.note=kept');
    expect(text).not.toContain('dropped');
    expect(text).not.toContain('SCHILY.filetype');
  });

  it('refuses old-GNU sparse entries and the 0.x pax sparse formats (their maps are not carried)', async () => {
    const oldSparse = await guard(Buffer.concat([root, rawHeader({ name: './s', type: 'S', magic: 'gnu' }), END]), rewrite);
    expect(oldSparse.error).toMatchObject({ entry: 's', problem: /old-GNU sparse/ });
    const zeroOne = await guard(Buffer.concat([root, pax({ 'GNU.sparse.map': '0,1', 'GNU.sparse.realsize': '1' }), fileEntry('./s', 'x'), END]), rewrite);
    expect(zeroOne.error).toMatchObject({ entry: 's', problem: /0\.x pax format/ });
  });

  it('names longer than a ustar header can hold go into one pax path, read the same by GNU tar', async () => {
    const long = `./${'d'.repeat(120)}/${'é'.repeat(80)}`;
    const out = await rewritten(await packTar([{ name: './', type: 'directory' }, { name: long, content: 'x' }, { name: './h', type: 'link', linkname: long }]));
    const paths = extractedPaths(out);
    expect(paths).toContain(`./v/${'d'.repeat(120)}/${'é'.repeat(80)}`);
    expect(paths.every(underPrefix)).toBe(true);
  });

  it('a realistic GNU tar archive (posix, sparse 1.0) extracts to the same tree under the prefix', async () => {
    const src = fs.mkdtempSync(path.join(work, 'src-'));
    execFileSync('bash', ['-euc', `cd '${src}'; mkdir -p 'a b/c'; echo hi > 'a b/c/f'; ln 'a b/c/f' hard; ln -s /etc/passwd abs; ln -s ../.. up; truncate -s 4M sparse; echo x | dd of=sparse bs=1 seek=2000000 conv=notrunc status=none; mkfifo fifo`]);
    const archive = execFileSync('tar', ['--sparse', '--sparse-version=1.0', '--format=posix', '-C', src, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
    const out = await rewritten(archive);
    const dst = fs.mkdtempSync(path.join(work, 'dst-'));
    execFileSync('tar', ['-C', dst, '-xf', '-'], { input: out, maxBuffer: 64 << 20 });
    execFileSync('diff', ['-r', '--no-dereference', '--exclude=fifo', src, path.join(dst, PREFIX)]);
    expect(fs.lstatSync(path.join(dst, PREFIX, 'fifo')).isFIFO()).toBe(true);
    // Holes stay holes: GNU tar recreates the 1.0 sparse map the rewrite carried over.
    expect(fs.statSync(path.join(dst, PREFIX, 'sparse')).blocks * 512).toBeLessThan(1 << 20);
    expect(fs.readdirSync(dst)).toEqual([PREFIX]);
    expect(fs.statSync(path.join(dst, PREFIX, 'sparse')).size).toBe(4 << 20);
    expect(fs.statSync(path.join(dst, PREFIX, 'hard')).nlink).toBe(2);
  });
});

describe('files to make sparse again', () => {
  it('notes regular files with at least the threshold of zeros, never links, small files or sparse entries', async () => {
    const zeros = Buffer.alloc(2 * 1024 * 1024);
    zeros.write('data at the start');
    const dense = Buffer.alloc(2 * 1024 * 1024, 7);
    const archive = await packTar([
      { name: './', type: 'directory' },
      { name: './disk.img', content: zeros },
      { name: './dense.bin', content: dense },
      { name: './small', content: Buffer.alloc(1000) },
      { name: './link', type: 'symlink', linkname: 'disk.img' },
    ]);
    const r = await guard(archive, { ...rewrite, holes: { minZeroBytes: 1024 * 1024, maxFiles: 10 } }, 65536);
    expect(r.error).toBeUndefined();
    expect(r.summary.holeCandidates).toEqual(['disk.img']);
    const capped = await guard(archive, { ...rewrite, holes: { minZeroBytes: 512, maxFiles: 0 } }, 65536);
    expect(capped.summary).toMatchObject({ holeCandidatesTruncated: true });
  });
});
