/**
 * A snapshot is data, never instructions. Crafted dumps are loaded into uat's PostgreSQL and
 * science's MariaDB: a client command hidden in them must not run. Crafted archives restored through the real sinks into uat's engine — as a volume (helper
 * container, the volume at /v) and as a directory of a running container — then looked at on uat
 * itself: nothing may appear outside the target. Each archive is a trick that once made the guard
 * and the engine's extractor (Go's archive/tar) read two different names.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { END, padded, paxData, rawHeader } from '../pipeline/testing/tar-craft.js';
import { dockerCli } from '../testing/lab.js';
import { writeDirectoryTar } from './directory.js';
import { loadMariadbDump } from './mariadb-mongo.js';
import { loadPostgresDump } from './postgres.js';
import { BUSYBOX, labEngines, removeQuietly, uniqueName, type LabEngines } from './testing/lab-engines.js';
import { writeVolumeTar } from './volume-sink.js';

const LOOP = 'trap "exit 0" TERM; while :; do sleep 1; done';
let lab: LabEngines;
let uat: Engine;
const app = uniqueName('hs-test-hostile-app');
const volume = uniqueName('hs-test-hostile-vol');
const DIR = '/srv/restore';

function pax(records: Record<string, string>): Buffer {
  const data = paxData(records);
  return Buffer.concat([rawHeader({ name: 'PaxHeader', type: 'x', size: data.length }), padded(data)]);
}
function file(name: string, content: string): Buffer {
  return Buffer.concat([rawHeader({ name, size: content.length }), padded(Buffer.from(content))]);
}
function gnuLongName(name: string): Buffer {
  const data = Buffer.from(name + '\0');
  return Buffer.concat([rawHeader({ name: '././@LongLink', type: 'L', size: data.length, magic: 'gnu' }), padded(data)]);
}
const root = rawHeader({ name: './', type: '5' });

/** Each trick: the archive, and whether the guard must refuse it (else: it lands inside the target). */
const TRICKS: Record<string, { archive: Buffer; refused: boolean; inside?: string }> = {
  // GNU tar takes GNU.sparse.name over path; Go only for sparse files. Once renamed in `path` only.
  'pax path vs GNU.sparse.name': {
    archive: Buffer.concat([
      root,
      pax({ path: './innocent', 'GNU.sparse.name': './tmp/escaped-sparse', 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '4' }),
      file('./GNUSparseFile.0/innocent', '1\n0\n4\n'.padEnd(512, '\0') + 'evil'),
      END,
    ]),
    refused: false,
    inside: 'tmp/escaped-sparse',
  },
  // A hard link to a symlink is that symlink: a file "through" it would land in /tmp.
  'hard link to a symlink': {
    archive: Buffer.concat([root, rawHeader({ name: './l', type: '2', linkname: '/tmp' }), rawHeader({ name: './h', type: '1', linkname: './l' }), file('./h/escaped-hardlink', 'evil'), END]),
    refused: true,
  },
  // A GNU long name and a pax path for one entry: one reader takes one, another the other.
  'GNU long name vs pax path': {
    archive: Buffer.concat([root, gnuLongName('./tmp/escaped-long'), pax({ path: './long-ok' }), file('./long-ok', 'evil'), END]),
    refused: false,
    inside: 'long-ok',
  },
  'absolute symlink, then a file through it': {
    archive: Buffer.concat([root, rawHeader({ name: './etc', type: '2', linkname: '/tmp' }), file('./etc/escaped-symlink', 'evil'), END]),
    refused: true,
  },
};

const ESCAPES = ['/tmp/escaped-sparse', '/tmp/escaped-hardlink', '/tmp/escaped-long', '/tmp/escaped-symlink', '/escaped-sparse'];

/** Which of the escape paths exist in `container` on uat (its whole filesystem, outside the target). */
async function escapedIn(container: string): Promise<string[]> {
  const out = await dockerCli(lab.machine('uat'), 'exec', container, 'sh', '-c', `for f in ${ESCAPES.join(' ')}; do [ -e "$f" ] && echo "$f"; done; true`);
  return out.split('\n').filter(Boolean);
}

beforeAll(async () => {
  lab = await labEngines();
  uat = await lab.engine('uat');
  await dockerCli(lab.machine('uat'), 'run', '-d', '--name', app, '--network', 'none', '--label', 'org.hindsight.test=sources', '-v', `${volume}:/data`, BUSYBOX, 'sh', '-c', LOOP);
  await dockerCli(lab.machine('uat'), 'exec', app, 'mkdir', '-p', DIR);
});

afterAll(async () => {
  await removeQuietly(lab.machine('uat'), 'container', app);
  await removeQuietly(lab.machine('uat'), 'volume', volume);
  await lab.dispose();
});

describe.each(Object.entries(TRICKS))('%s', (_name, trick) => {
  it('into a volume: refused, or landed inside the volume only', async () => {
    const r = writeVolumeTar({ engine: uat, volume, tar: Readable.from([trick.archive]), clear: true });
    if (trick.refused) await expect(r).rejects.toMatchObject({ reason: 'UNSAFE_ARCHIVE' });
    else await r;
    // The volume as the application sees it, and the rest of the application's filesystem.
    const listing = await dockerCli(lab.machine('uat'), 'exec', app, 'find', '/data', '-mindepth', '1');
    if (trick.inside) expect(listing.split('\n')).toContain(`/data/${trick.inside}`);
    expect(await escapedIn(app)).toEqual([]);
    expect(listing).not.toMatch(/innocent|GNUSparseFile/);
  });

  it('into a directory of a running container: refused, or landed inside that directory only', async () => {
    const r = writeDirectoryTar({ engine: uat, container: app, path: DIR, tar: Readable.from([trick.archive]), clear: true });
    if (trick.refused) await expect(r).rejects.toMatchObject({ reason: 'UNSAFE_ARCHIVE' });
    else await r;
    const listing = await dockerCli(lab.machine('uat'), 'exec', app, 'find', DIR, '-mindepth', '1');
    if (trick.inside) expect(listing.split('\n')).toContain(`${DIR}/${trick.inside}`);
    expect(await escapedIn(app)).toEqual([]);
  });
});

describe('system directories are never restore targets', () => {
  it.each(['/', '/etc', '/usr', '/bin', '/usr/lib/x', '/etc/cron.d'])('%s is refused before anything is written', async (dir) => {
    const archive = Buffer.concat([root, file('./marker-system', 'x'), END]);
    await expect(writeDirectoryTar({ engine: uat, container: app, path: dir, tar: Readable.from([archive]), clear: true })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const found = await dockerCli(lab.machine('uat'), 'exec', app, 'find', '/', '-xdev', '-name', 'marker-system');
    expect(found.trim()).toBe('');
  });
});

describe('database dumps are SQL, never client commands', () => {
  const pwned = '/tmp/hindsight-pwned';
  const exists = async (machine: 'uat' | 'science', container: string) =>
    (await dockerCli(lab.machine(machine), 'exec', container, 'sh', '-c', `[ -e ${pwned} ] && echo yes || echo no`)).trim();

  it('a pg_dumpall script with a psql shell escape is refused before psql could run it', async () => {
    const script = `SELECT 1;\n\\! touch ${pwned}\nSELECT 2;\n`;
    await expect(loadPostgresDump({ engine: uat, container: 'shop-db-1', mode: 'dumpall', input: Readable.from([Buffer.from(script)]) })).rejects.toMatchObject({ reason: 'UNSAFE_SCRIPT' });
    expect(await exists('uat', 'shop-db-1')).toBe('no');
  });

  it('COPY … PROGRAM is refused and never reaches the server', async () => {
    const script = `CREATE TEMP TABLE x (a text);\nCOPY x FROM PROGRAM 'touch ${pwned}';\n`;
    await expect(loadPostgresDump({ engine: uat, container: 'shop-db-1', mode: 'dumpall', input: Readable.from([Buffer.from(script)]) })).rejects.toMatchObject({ reason: 'UNSAFE_SCRIPT' });
    expect(await exists('uat', 'shop-db-1')).toBe('no');
  });

  it('a MariaDB dump with a client shell escape: the client runs sandboxed and refuses it', async () => {
    const science = await lab.engine('science');
    const script = `SELECT 1;\n\\! touch ${pwned}\nsystem touch ${pwned}\n`;
    await expect(loadMariadbDump({ engine: science, container: 'maria-db-1', input: Readable.from([Buffer.from(script)]) })).rejects.toThrow(/sandbox|not allowed/i);
    expect(await exists('science', 'maria-db-1')).toBe('no');
  });
});
