import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { TarGuard } from '../pipeline/tar-guard.js';
import { TarNameNormalizer } from './archive-names.js';

interface Spec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  data?: string;
}

async function pack(entries: Spec[]): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  for (const e of entries) {
    const { data, ...header } = e;
    p.entry({ type: 'file', mode: 0o644, mtime: new Date(1_600_000_000_000), ...header }, data ?? '');
  }
  p.finalize();
  await new Promise<void>((r) => p.on('end', () => r()));
  return Buffer.concat(chunks);
}

/** Runs bytes through the normaliser in chunks of `size` (or random sizes). */
async function normalise(input: Buffer, size?: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; ) {
    const n = size ?? 1 + Math.floor(Math.random() * 1500);
    pieces.push(input.subarray(i, i + n));
    i += n;
  }
  const out: Buffer[] = [];
  const n = new TarNameNormalizer();
  n.on('data', (c: Buffer) => out.push(c));
  await pipeline(Readable.from(pieces), n);
  return Buffer.concat(out);
}

async function list(bytes: Buffer): Promise<Array<{ name: string; type: string; linkname: string | null; data: string }>> {
  const ex = tar.extract();
  const entries: Array<{ name: string; type: string; linkname: string | null; data: string }> = [];
  ex.on('entry', (h, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c) => parts.push(c as Buffer));
    stream.on('end', () => {
      entries.push({ name: h.name, type: h.type ?? 'file', linkname: h.linkname ?? null, data: Buffer.concat(parts).toString() });
      next();
    });
  });
  await pipeline(Readable.from([bytes]), ex);
  return entries;
}

const long = 'd'.repeat(90) + '/' + 'f'.repeat(120);

describe('TarNameNormalizer', () => {
  it('passes a "./"-named archive (what Docker 20.10+ sends) through byte for byte', async () => {
    const input = await pack([
      { name: './', type: 'directory' },
      { name: './a/', type: 'directory' },
      { name: './a/f', data: 'hello' },
      { name: './h', type: 'link', linkname: './a/f' },
      { name: `./${long}`, data: 'long' },
      { name: './résumé 2026.txt', data: 'x' },
    ]);
    for (const size of [1, 7, 512, 100_000, undefined]) expect((await normalise(input, size)).equals(input)).toBe(true);
  });

  it('rewrites "src/…" names (and hard-link targets, not symlink targets) to "./…"', async () => {
    const input = await pack([
      { name: 'src/', type: 'directory' },
      { name: 'src/a/', type: 'directory' },
      { name: 'src/a/f', data: 'hello' },
      { name: 'src/h', type: 'link', linkname: 'src/a/f' },
      { name: 'src/abs', type: 'symlink', linkname: '/src/etc/passwd' },
      { name: 'src/rel', type: 'symlink', linkname: 'src/a/f' },
      { name: `src/${long}`, data: 'long' },
      { name: 'src/résumé 2026.txt', data: 'x' },
      { name: 'src/' + 'n'.repeat(300), data: 'pax path' },
    ]);
    const out = await normalise(input);
    expect(out.length % 512).toBe(0);
    expect(await list(out)).toEqual([
      { name: './', type: 'directory', linkname: null, data: '' },
      { name: './a/', type: 'directory', linkname: null, data: '' },
      { name: './a/f', type: 'file', linkname: null, data: 'hello' },
      { name: './h', type: 'link', linkname: './a/f', data: '' },
      { name: './abs', type: 'symlink', linkname: '/src/etc/passwd', data: '' },
      { name: './rel', type: 'symlink', linkname: 'src/a/f', data: '' },
      { name: `./${long}`, type: 'file', linkname: null, data: 'long' },
      { name: './résumé 2026.txt', type: 'file', linkname: null, data: 'x' },
      { name: './' + 'n'.repeat(300), type: 'file', linkname: null, data: 'pax path' },
    ]);
  });

  it('rewrites GNU long names, and GNU tar extracts the result', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-names-'));
    try {
      const deep = path.join(dir, 'src', 'x'.repeat(120));
      fs.mkdirSync(deep, { recursive: true });
      fs.writeFileSync(path.join(deep, 'y'.repeat(120)), 'deep');
      fs.linkSync(path.join(deep, 'y'.repeat(120)), path.join(dir, 'src', 'z'.repeat(110)));
      const input = execFileSync('tar', ['--format=gnu', '-C', dir, '-cf', '-', 'src']);
      const out = await normalise(input);
      const entries = await list(out);
      expect(entries.map((e) => e.name)).toContain(`./${'x'.repeat(120)}/${'y'.repeat(120)}`);
      // GNU tar stores the second name of the pair as a hard link (long link name: a 'K' entry).
      expect(entries.filter((e) => e.type === 'link').map((e) => e.linkname?.startsWith('./'))).toEqual([true]);
      const into = path.join(dir, 'out');
      fs.mkdirSync(into);
      execFileSync('tar', ['-C', into, '-xf', '-'], { input: out });
      expect(fs.readFileSync(path.join(into, 'x'.repeat(120), 'y'.repeat(120)), 'utf8')).toBe('deep');
      expect(fs.statSync(path.join(into, 'z'.repeat(110))).nlink).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an archive cut short, even at a block boundary', async () => {
    const input = await pack([{ name: './', type: 'directory' }, { name: './f', data: 'x'.repeat(2000) }]);
    await expect(normalise(input.subarray(0, 1024))).rejects.toThrow(/ended before its end-of-archive marker/);
    await expect(normalise(input.subarray(0, 700))).rejects.toThrow(/ended before/);
  });

  it('refuses entries outside the root, a missing root, a bad checksum', async () => {
    await expect(normalise(await pack([{ name: './', type: 'directory' }, { name: 'b', data: '' }]))).rejects.toThrow(/outside its root: "b"/);
    await expect(normalise(await pack([{ name: 'src/', type: 'directory' }, { name: 'other/x' }]))).rejects.toThrow(/outside its root "src\/"/);
    await expect(normalise(await pack([{ name: 'f', data: 'x' }]))).rejects.toThrow(/does not start with its root directory/);
    const bad = await pack([{ name: './', type: 'directory' }]);
    bad[0] = 0x41;
    await expect(normalise(bad)).rejects.toThrow(/bad checksum/);
  });
});

describe('the restore sinks\' canonical rewrite (TarGuard with a prefix)', () => {
  async function prefix(input: Buffer, dir = 'v'): Promise<Buffer> {
    const out: Buffer[] = [];
    const p = new TarGuard({ policy: 'reject', rewrite: { prefix: dir } });
    p.on('data', (c: Buffer) => out.push(c));
    await pipeline(Readable.from([input.subarray(0, 700), input.subarray(700)]), p);
    return Buffer.concat(out);
  }

  it('renames "./x" to "v/x", hard-link targets too, symlink targets never', async () => {
    const input = await pack([
      { name: './', type: 'directory' },
      { name: './a/f', data: 'hello' },
      { name: './h', type: 'link', linkname: './a/f' },
      { name: './up', type: 'symlink', linkname: '../outside' },
      { name: `./${long}`, data: 'long' },
      { name: './résumé 2026.txt', data: 'x' },
    ]);
    const out = await prefix(input);
    expect((await list(out)).map((e) => [e.name, e.linkname])).toEqual([
      ['v/', null],
      ['v/a/f', null],
      ['v/h', 'v/a/f'],
      ['v/up', '../outside'],
      [`v/${long}`, null],
      ['v/résumé 2026.txt', null],
    ]);
  });

  it('adds pax records for names that no longer fit, and GNU tar reads them', async () => {
    const name99 = 'x'.repeat(99);
    const input = await pack([
      { name: '.', type: 'directory' },
      { name: name99, data: 'ninety-nine' },
      { name: 'l', type: 'link', linkname: name99 },
      { name: 'é'.repeat(60), data: 'pax already' },
    ]);
    const out = await prefix(input, 'volume-root');
    const entries = await list(out);
    expect(entries.map((e) => [e.name, e.linkname])).toEqual([
      ['volume-root/', null],
      [`volume-root/${name99}`, null],
      ['volume-root/l', `volume-root/${name99}`],
      [`volume-root/${'é'.repeat(60)}`, null],
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-prefix-'));
    try {
      execFileSync('tar', ['-C', dir, '-xf', '-'], { input: out });
      expect(fs.readFileSync(path.join(dir, 'volume-root', name99), 'utf8')).toBe('ninety-nine');
      expect(fs.statSync(path.join(dir, 'volume-root', 'l')).nlink).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds a pax header where an entry had none', async () => {
    const dir = 'd'.repeat(160); // no ustar prefix/name split can hold "<dir>/f"
    const out = await prefix(await pack([{ name: './', type: 'directory' }, { name: './f', data: 'x' }]), dir);
    expect((await list(out)).map((e) => e.name)).toEqual([`${dir}/`, `${dir}/f`]);
  });

  it('refuses absolute names and ".."', async () => {
    await expect(prefix(await pack([{ name: './', type: 'directory' }, { name: '/etc/x' }]))).rejects.toThrow(/absolute name/);
    await expect(prefix(await pack([{ name: './', type: 'directory' }, { name: './a/../../x' }]))).rejects.toThrow(/"\.\."/);
    await expect(prefix(await pack([{ name: './', type: 'directory' }, { name: './h', type: 'link', linkname: '../x' }]))).rejects.toThrow(/"\.\."/);
  });
});
