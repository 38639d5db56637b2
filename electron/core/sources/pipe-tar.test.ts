/**
 * The helper's shell text (tarOnFifo) run by this machine's sh and perl, with a stand-in `tar`
 * that reports what it was given: the FIFO as its stdin or stdout, enlarged to 1 MiB, its
 * arguments intact — and without perl, tar on the FIFO's path as before.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tarOnFifo } from './pipe-tar.js';

const run = promisify(execFile);
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipe-tar-'));
  await run('mkfifo', [join(dir, 'fifo')]);
  // The stand-in tar: its arguments, then F_GETPIPE_SZ (1032) of its stdin or stdout, on stderr.
  await writeFile(
    join(dir, 'tar'),
    `#!/bin/sh\necho "args: $*" >&2\nperl -e 'my $fh = ($ARGV[0] eq "STDIN") ? *STDIN : *STDOUT; print STDERR "size: " . (fcntl($fh, 1032, 0) // "none") . "\\n"' "$HINDSIGHT_TEST_SIDE"\nexit 0\n`,
  );
  await chmod(join(dir, 'tar'), 0o755);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Runs the text as the helper would (`sh -c TEXT hindsight-tar FIFO`), holding the FIFO's other end. */
async function runHelperText(text: string, side: 'read' | 'write', path: string): Promise<string> {
  const fifo = join(dir, 'fifo');
  const env = { ...process.env, PATH: path, HINDSIGHT_TEST_SIDE: side === 'read' ? 'STDIN' : 'STDOUT' };
  const child = run('/bin/sh', ['-c', text, 'hindsight-tar', fifo], { env });
  const peer = await open(fifo, side === 'read' ? 'w' : 'r');
  const { stderr } = await child;
  await peer.close();
  return stderr;
}

describe('tarOnFifo', () => {
  it.each(['read', 'write'] as const)('gives tar the FIFO as its %s end, its buffer enlarged to 1 MiB', async (side) => {
    const out = await runHelperText(tarOnFifo(side, "-x --numeric-owner '--xattrs-include=*' -C /"), side, `${dir}:/usr/bin:/bin`);
    expect(out).toContain('args: -f - -x --numeric-owner --xattrs-include=* -C /');
    expect(out).toContain(`size: ${1 << 20}`);
  });

  it('without perl, runs tar on the FIFO’s path (the pipe keeps its default size)', async () => {
    // A PATH with sh's tools but no perl: only this folder, where `command -v perl` finds nothing.
    const bin = join(dir, 'bin');
    await run('mkdir', [bin]);
    await run('ln', ['-s', join(dir, 'tar'), join(bin, 'tar')]);
    const text = tarOnFifo('read', '-x -C /').replace('exec tar', `exec ${join(bin, 'tar')}`);
    const child = run('/bin/sh', ['-c', text, 'hindsight-tar', join(dir, 'fifo')], { env: { ...process.env, PATH: bin } });
    const { stderr } = await child;
    expect(stderr).toContain(`args: -f ${join(dir, 'fifo')} -x -C /`);
  });
});
