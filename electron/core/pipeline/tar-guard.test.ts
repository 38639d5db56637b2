/**
 * The tar guard on crafted archives: every refused kind of entry is refused with its name, before
 * its header reaches the output; every legitimate kind passes byte for byte.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { TarGuard } from './tar-guard.js';
import { isIntegrityError, isUnsafeArchiveError, type UnsafeArchiveError } from './errors.js';
import { END, guard, packTar, padded, paxData, rawHeader, type Spec } from './testing/tar-craft.js';

const file = (name: string, content = 'data'): Spec => ({ name, content });
const dir = (name: string): Spec => ({ name, type: 'directory' });
const symlink = (name: string, linkname: string): Spec => ({ name, type: 'symlink', linkname });
const hardlink = (name: string, linkname: string): Spec => ({ name, type: 'link', linkname });

/** The guard must refuse `entries`, naming `entry`; nothing from that entry's header on is output. */
async function expectRefused(entries: Spec[], entry: string, problem: RegExp, opts = {}) {
  const archive = await packTar(entries);
  for (const chunk of [1, 511, 513, 65536]) {
    const r = await guard(archive, opts, chunk);
    expect(isUnsafeArchiveError(r.error), `${String(r.error)} (chunk ${chunk})`).toBe(true);
    const err = r.error as UnsafeArchiveError;
    expect(err.entry).toBe(entry);
    expect(err.problem).toMatch(problem);
    expect(err.message).toContain(`"${entry}"`);
    // Everything output is an exact prefix of the archive, ending before the refused entry.
    expect(archive.subarray(0, r.output.length).equals(r.output)).toBe(true);
    const good = await packTar(entries.slice(0, entries.findLastIndex((e) => e.name === entry || (e.pax as { path?: string })?.path === entry)));
    expect(r.output.length).toBeLessThanOrEqual(good.length - 1024);
  }
}

async function expectPassed(entries: Spec[], opts = {}) {
  const archive = await packTar(entries);
  for (const chunk of [1, 100, 512, 4096, 1 << 20]) {
    const r = await guard(archive, opts, chunk);
    expect(r.error, String(r.error)).toBeUndefined();
    expect(r.output.equals(archive)).toBe(true);
  }
  return guard(archive, { ...opts, index: true });
}

describe('refused entries', () => {
  it('absolute names', () => expectRefused([file('ok'), file('/etc/cron.d/evil')], '/etc/cron.d/evil', /absolute name/));

  it('".." components', async () => {
    await expectRefused([file('a'), file('../evil')], '../evil', /"\.\." component/);
    await expectRefused([dir('a/'), file('a/../../evil')], 'a/../../evil', /"\.\." component/);
    await expectRefused([dir('a/..')], 'a/..', /"\.\." component/);
  });

  it('a long (pax) name with ".." ', async () => {
    const long = `${'d'.repeat(120)}/../../../../etc/passwd`;
    await expectRefused([file(long)], long, /"\.\." component/);
  });

  it('hard links to absolute paths, outside, to the root', async () => {
    await expectRefused([hardlink('h', '/etc/shadow')], 'h', /hard link to "\/etc\/shadow", which has an absolute name/);
    await expectRefused([file('a'), hardlink('h', '../outside')], 'h', /"\.\." component/);
    await expectRefused([file('a'), hardlink('h', './')], 'h', /root directory/);
    // A hard link to a name the archive never created is left to the extractor: in a cleared
    // target under the restore's own prefix nothing by that name exists, so the link fails there.
    await expectPassed([file('a'), hardlink('h', 'b')]);
  });

  it('a hard link to a symlink is that symlink for every later check', async () => {
    await expectRefused([symlink('l', '/etc'), hardlink('h', 'l'), file('h/passwd')], 'h/passwd', /lies under "h", a symbolic link/);
    await expectRefused([symlink('l', '/etc'), hardlink('h', 'l'), hardlink('h2', 'h'), dir('h2/cron.d/')], 'h2/cron.d/', /lies under "h2"/);
    await expectRefused([symlink('l', '/etc'), hardlink('h', 'l'), hardlink('x', 'h/shadow')], 'x', /lies under "h"/);
  });

  it('entries through a symlink created earlier', async () => {
    await expectRefused([symlink('etc', '/etc'), file('etc/cron.d/evil')], 'etc/cron.d/evil', /lies under "etc", a symbolic link/);
    await expectRefused([dir('a/'), symlink('a/up', '../..'), file('a/up/evil')], 'a/up/evil', /lies under "a\/up"/);
    await expectRefused([symlink('l', '/etc'), dir('l/sub/')], 'l/sub/', /lies under "l"/);
    await expectRefused([symlink('l', '/etc'), symlink('l/x', 'y')], 'l/x', /lies under "l"/);
    await expectRefused([symlink('./l', '/etc'), file('l//passwd')], 'l//passwd', /lies under "l"/);
  });

  it('an entry that replaces a symlink (it would be written through it)', async () => {
    await expectRefused([symlink('bashrc', '/root/.bashrc'), file('bashrc', 'evil')], 'bashrc', /would replace the symbolic link/);
    await expectRefused([symlink('d', '/etc'), dir('d/')], 'd/', /would replace the symbolic link/);
  });

  it('a hard link whose target passes through a symlink', async () => {
    await expectRefused([file('f'), symlink('l', '/etc'), hardlink('h', 'l/shadow')], 'h', /lies under "l"/);
  });

  it('device nodes', async () => {
    await expectRefused([{ name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 }], 'dev/sda', /block device/);
    await expectRefused([{ name: 'mem', type: 'character-device', devmajor: 1, devminor: 1 }], 'mem', /character device/);
  });

  it('FIFOs only when asked to', async () => {
    await expectPassed([{ name: 'pipe', type: 'fifo' }]);
    await expectRefused([{ name: 'pipe', type: 'fifo' }], 'pipe', /FIFO/, { fifos: 'reject' });
  });

  it('a safe-looking name with an unsafe pax path or GNU sparse name: every name counts', async () => {
    const sparseName = await guard(
      Buffer.concat([rawHeader({ name: 'PaxHeader', type: 'x', size: paxData({ 'GNU.sparse.name': '../../evil' }).length }), padded(paxData({ 'GNU.sparse.name': '../../evil' })), rawHeader({ name: 'GNUSparseFile.1/innocent' }), END]),
    );
    expect((sparseName.error as UnsafeArchiveError).entry).toBe('../../evil');
    const pax = paxData({ path: 'innocent' });
    const headerName = await guard(Buffer.concat([rawHeader({ name: 'PaxHeader', type: 'x', size: pax.length }), padded(pax), rawHeader({ name: '/etc/passwd' }), END]));
    expect(headerName.error).toMatchObject({ entry: 'innocent', problem: /in its header: "\/etc\/passwd"/ });
  });
});

describe('malformed and ambiguous archives are refused', () => {
  const refuse = async (archive: Buffer, message: RegExp) => {
    const r = await guard(archive);
    expect(r.error, 'should fail').toBeInstanceOf(Error);
    expect((r.error as Error).message).toMatch(message);
  };

  it('framing', async () => {
    const ok = await packTar([file('a')]);
    await refuse(ok.subarray(0, 1024), /without an end-of-archive marker/);
    await refuse(ok.subarray(0, 700), /truncated/);
    await refuse(Buffer.alloc(0), /without an end-of-archive marker/);
    await refuse(Buffer.concat([ok, rawHeader({ name: 'hidden' })]), /data after its end-of-archive marker/);
    await refuse(Buffer.concat([rawHeader({ name: 'a', checksumDelta: 1 }), END]), /bad header checksum/);
    await refuse(Buffer.concat([rawHeader({ name: 'a', magic: 'v7' }), END]), /Unsupported tar format/);
    await refuse(Buffer.concat([rawHeader({ name: 'x', type: 'x', size: 5 }), padded(Buffer.from('junk\n')), rawHeader({ name: 'a' }), END]), /pax extended header .* malformed/);
    await refuse(Buffer.concat([rawHeader({ name: 'x', type: 'L', size: 2 << 20 }), END]), /larger than/);
    const ext = paxData({ path: 'a' });
    await refuse(Buffer.concat([rawHeader({ name: 'x', type: 'x', size: ext.length }), padded(ext), END]), /ends right after an extended header/);
    expect(isIntegrityError((await guard(ok.subarray(0, 700))).error)).toBe(true);
  });

  it('entries extractors would read differently', async () => {
    await refuse(Buffer.concat([rawHeader({ name: 'l', type: '2', linkname: 'x', size: 512 }), Buffer.alloc(512, 1), END]), /symlink entry that carries 512 bytes/);
    await refuse(Buffer.concat([rawHeader({ name: 'd/', type: '0', size: 512 }), Buffer.alloc(512, 1), END]), /name ends with "\/" and carries data/);
    await refuse(Buffer.concat([rawHeader({ name: 's', type: 'S' }), END]), /unsupported tar entry type "S"/);
    await refuse(Buffer.concat([rawHeader({ name: 'dump', type: 'D' }), END]), /unsupported tar entry type "D"/);
    const g = paxData({ path: 'everything' });
    await refuse(Buffer.concat([rawHeader({ name: 'g', type: 'g', size: g.length }), padded(g), rawHeader({ name: 'a' }), END]), /pax global header.*sets path/);
  });
});

describe('legitimate archives pass byte for byte', () => {
  it('symlinks (absolute, dangling, relative up), hard links, empty dirs, odd names', async () => {
    const r = await expectPassed([
      dir('./'),
      dir('empty/'),
      file('dir with spaces/file name.txt', 'x'.repeat(1000)),
      file('ünïcødé/файл 日本.txt', 'y'),
      symlink('abs', '/etc/passwd'),
      symlink('dangling', 'does/not/exist'),
      symlink('sub/up', '../../..'),
      hardlink('hard', 'dir with spaces/file name.txt'),
      hardlink('hard-to-link', 'abs'),
      file(`${'long/'.repeat(40)}name`, 'z'),
      file('./dot/./slash//x'),
      { name: 'suid', content: 'x', mode: 0o4755 },
    ]);
    expect(r.summary).toMatchObject({ entries: 12, files: 5, directories: 2, symlinks: 3, hardlinks: 2, fifos: 0, devices: 0, fileBytes: 1000 + 1 + 1 + 4 + 1, problems: [] });
    expect(r.index).toContainEqual({ path: '.', type: 'dir', size: 0, mode: 0o755, mtime: 1_700_000_000, uid: 0, gid: 0 });
    expect(r.index).toContainEqual(expect.objectContaining({ path: 'ünïcødé/файл 日本.txt', type: 'file', size: 1 }));
    expect(r.index).toContainEqual(expect.objectContaining({ path: 'abs', type: 'symlink', linkname: '/etc/passwd' }));
    expect(r.index).toContainEqual(expect.objectContaining({ path: 'hard', type: 'hardlink', linkname: 'dir with spaces/file name.txt' }));
    expect(r.index).toContainEqual(expect.objectContaining({ path: `${'long/'.repeat(40)}name` }));
    expect(r.index).toContainEqual(expect.objectContaining({ path: 'dot/slash/x' }));
    expect(r.index).toContainEqual(expect.objectContaining({ path: 'suid', mode: 0o4755 }));
  });

  it('a symlink may be replaced by another symlink; a symlink named like a later-seen dir is fine before it', async () => {
    await expectPassed([symlink('l', '/a'), symlink('l', '/b'), dir('m/'), symlink('m2', 'm'), file('m/x')]);
  });

  it('trailing zero blocks of any length after the marker (GNU tar pads to 10 KiB)', async () => {
    const archive = Buffer.concat([await packTar([file('a')]), Buffer.alloc(8192)]);
    const r = await guard(archive);
    expect(r.error).toBeUndefined();
    expect(r.output.equals(archive)).toBe(true);
  });
});

describe('file index', () => {
  it('a consumer that goes away does not hold the archive back', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => file(`f${i}`, ''));
    const archive = await packTar(entries);
    const g = new TarGuard({ index: true });
    g.index!.once('data', () => g.index!.destroy());
    const out: Buffer[] = [];
    await pipeline(Readable.from([archive]), g, async (s: AsyncIterable<Buffer>) => {
      for await (const c of s) out.push(c);
    });
    expect(Buffer.concat(out).equals(archive)).toBe(true);
    expect(g.summary.files).toBe(3000);
  });

  it('waits for a slow consumer instead of buffering without bound', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => file(`f${i}`, ''));
    const g = new TarGuard({ index: true });
    let maxBuffered = 0;
    const lines: string[] = [];
    const reading = (async () => {
      for await (const c of g.index!) {
        maxBuffered = Math.max(maxBuffered, g.index!.readableLength);
        lines.push(...(c as Buffer).toString().split('\n').filter(Boolean));
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const archive = await packTar(entries);
    const chunks = Array.from({ length: Math.ceil(archive.length / 65536) }, (_, i) => archive.subarray(i * 65536, (i + 1) * 65536));
    await pipeline(Readable.from(chunks), g, new Writable({ write: (_c, _e, cb) => cb() }));
    await reading;
    expect(lines).toHaveLength(3000);
    // The guard stops at the index's 64 KiB mark; one input chunk's lines may go over it.
    expect(maxBuffered).toBeLessThan(128 * 1024);
  });
});

describe('report policy (backups)', () => {
  it('lists problems instead of failing, and passes everything', async () => {
    const archive = await packTar([file('ok'), { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }, symlink('l', '/'), file('l/x')]);
    const r = await guard(archive, { policy: 'report' });
    expect(r.error).toBeUndefined();
    expect(r.output.equals(archive)).toBe(true);
    expect(r.summary.devices).toBe(1);
    expect(r.summary.problems).toEqual([
      { entry: 'dev/null', problem: expect.stringMatching(/character device/) },
      { entry: 'l/x', problem: expect.stringMatching(/lies under "l"/) },
    ]);
  });

  it('malformed streams still fail', async () => {
    const r = await guard(Buffer.concat([rawHeader({ name: 'a', checksumDelta: 3 }), END]), { policy: 'report' });
    expect(isIntegrityError(r.error)).toBe(true);
  });
});
