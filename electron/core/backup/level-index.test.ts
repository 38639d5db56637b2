/**
 * A level's file index (level-index.ts) from real GNU tar levels: the level's own entries and the
 * base's index for the unchanged ones, moved by a directory rename, give exactly the tree; a
 * listing that names something neither has, and a base too large, give no index, with the reason.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guard } from '../pipeline/testing/tar-craft.js';
import { runCli } from '../pipeline/testing/sinks.js';
import { TarGuard } from '../pipeline/index.js';
import { LevelIndex } from './level-index.js';

let root: string;

async function sh(script: string): Promise<string> {
  const r = await runCli('bash', ['-euo', 'pipefail', '-c', script]);
  if (r.code !== 0) throw new Error(`${script}: ${r.stderr}${r.stdout.toString()}`);
  return r.stdout.toString();
}

const level = async (n: number) => {
  await sh(`tar -C '${root}/src' --format=posix --no-check-device --listed-incremental='${root}/snar' -cf '${root}/l${n}.tar' .`);
  return readFile(join(root, `l${n}.tar`));
};

/** "<type> <path>" of every entry of the source folder, as the index names them. */
async function tree(): Promise<string[]> {
  const out = await sh(`cd '${root}/src' && find . -printf '%y %P\\n'`);
  const kind: Record<string, string> = { f: 'file', d: 'dir', l: 'symlink' };
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => `${kind[l[0]!] ?? l[0]} ${l.slice(2) || '.'}`)
    .sort();
}

const named = (lines: string[]) => lines.map((l) => JSON.parse(l) as { type: string; path: string }).map((e) => `${e.type === 'hardlink' ? 'file' : e.type} ${e.path}`).sort();

/** The level's index lines through LevelIndex, from its archive and the base's index lines. */
async function merged(archive: Buffer, base: string[]) {
  const index = new LevelIndex();
  const g = new TarGuard({ policy: 'report', index: true, dumpdirs: true, onDumpdir: index.onDumpdir });
  const collecting = index.collect(g.index!);
  g.end(archive);
  g.resume();
  await collecting;
  return index.merge(Readable.from([base.map((l) => `${l}\n`).join('')]));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hindsight-level-index-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a level index', () => {
  it('is the whole tree: changed entries from the level, unchanged ones from the base, a renamed directory included', async () => {
    await sh(`mkdir -p '${root}/src/keep' '${root}/src/moved/inner' && cd '${root}/src' && echo a > keep/a && echo b > moved/inner/b && echo c > gone && ln -s keep/a link`);
    const l0 = await guard(await level(0), { index: true, dumpdirs: true });
    const base = l0.index.map((e) => JSON.stringify(e));
    await sh(`sleep 1.1; cd '${root}/src' && rm gone && mv moved renamed && echo new > renamed/new && echo more >> keep/a`);
    const r = await merged(await level(1), base);
    if (!('lines' in r)) throw new Error(r.problem);
    expect(named(r.lines)).toEqual(await tree());
    // Under its new name (GNU tar dumps a renamed directory's files again, or records the rename
    // for level-index.ts to move the base's entries: either way the index is the tree's).
    expect(r.lines.find((l) => l.includes('"renamed/inner/b"'))).toBeTruthy();
    // The unchanged symlink came from the base.
    expect(r.lines.find((l) => l.includes('"link"'))).toBe(base.find((l) => l.includes('"link"')));
  });

  it('names what it cannot make, and makes none', async () => {
    await sh(`sleep 1.1; cd '${root}/src' && echo x > keep/x`);
    const archive = await level(2);
    const r = await merged(archive, []);
    expect(r).toEqual({ problem: expect.stringContaining('is in neither the level nor the index it builds on') });
  });
});
