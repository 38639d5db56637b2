/**
 * PostgreSQL through exec, production → uat over the SSH tunnels, between throw-away database
 * containers of our own (the lab's shop databases are only read). Row counts are the witness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../docker/engine.js';
import { dockerCli, readLab, waitFor } from '../testing/lab.js';
import { ExecFailedError } from './errors.js';
import { loadPostgresDump, openPostgresDump, postgresDatabases, postgresMajorVersion, postgresRowCounts, postgresSizeOnDisk } from './postgres.js';
import { labEngines, POSTGRES, removeQuietly, uniqueName, type LabEngines } from './testing/lab-engines.js';
import { Readable } from 'node:stream';

const SEED = `
CREATE ROLE app LOGIN;
CREATE DATABASE seed OWNER app;
\\connect seed
CREATE TABLE customers (id int PRIMARY KEY, name text);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 321) g;
ALTER TABLE customers OWNER TO app;
CREATE SCHEMA audit;
CREATE TABLE audit.events (id serial PRIMARY KEY, at timestamptz DEFAULT now(), what text);
INSERT INTO audit.events (what) SELECT 'event ' || g FROM generate_series(1, 17) g;
CREATE TABLE "Odd Name" (x int);
INSERT INTO "Odd Name" SELECT generate_series(1, 5);
CREATE TABLE big (id int, v text);
INSERT INTO big SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, 300000) g;
`;
const EXPECTED = { 'Odd Name': 5, 'audit.events': 17, big: 300000, customers: 321 };

let lab: LabEngines;
let prod: Engine;
let uat: Engine;
const source = uniqueName('hs-test-pg-src');
const target = uniqueName('hs-test-pg-dst');

async function startPostgres(machine: 'production' | 'uat', name: string): Promise<void> {
  const m = lab.machine(machine);
  await dockerCli(m, 'run', '-d', '--name', name, '--network', 'none', '--label', 'org.hindsight.test=sources', POSTGRES);
  await waitFor(`postgres in ${name}`, async () => (await dockerCli(m, 'exec', name, 'psql', '-U', 'postgres', '-Atc', 'SELECT 1').catch(() => '')) === '1', 60_000);
}

/** Command lines of the processes running in a container (no ps in the image: /proc). */
async function processes(machine: 'production' | 'uat', container: string): Promise<string> {
  return dockerCli(lab.machine(machine), 'exec', container, 'sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null; echo; done');
}

beforeAll(async () => {
  lab = await labEngines();
  prod = await lab.engine('production');
  uat = await lab.engine('uat');
  await Promise.all([startPostgres('production', source), startPostgres('uat', target)]);
  const m = lab.machine('production');
  const { execFileSync } = await import('node:child_process');
  execFileSync('docker', ['-H', `unix://${m.localSocket}`, 'exec', '-i', source, 'psql', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres'], { input: SEED });
}, 180_000);

afterAll(async () => {
  await removeQuietly(lab.machine('production'), 'container', source);
  await removeQuietly(lab.machine('uat'), 'container', target);
  await lab.dispose();
});

describe('PostgreSQL facts', () => {
  it('counts rows exactly, schema-qualified outside public; reads the major version', async () => {
    expect(await postgresRowCounts({ engine: prod, container: source, database: 'seed' })).toEqual(EXPECTED);
    expect(await postgresMajorVersion({ engine: prod, container: source })).toBe(15);
    expect(await postgresDatabases({ engine: prod, container: source })).toEqual(['postgres', 'seed']);
  });

  it('measures the databases on disk, an upper bound of the dump (for the upload parts)', async () => {
    const all = await postgresSizeOnDisk({ engine: prod, container: source });
    const seed = await postgresSizeOnDisk({ engine: prod, container: source, database: 'seed' });
    expect(seed).toBeGreaterThan(0);
    expect(all).toBeGreaterThan(seed);
    // The dump of the seed database (300,321 rows) is smaller than its size on disk.
    const dump = await openPostgresDump({ engine: prod, container: source, mode: 'database', database: 'seed' });
    let dumped = 0;
    for await (const c of dump.stream) dumped += (c as Buffer).length;
    expect(dumped).toBeGreaterThan(0);
    expect(dumped).toBeLessThan(seed);
  });

  it("agrees with the lab's own facts about production's shop database (read only)", async () => {
    const db = readLab().stacks.production as unknown as { database: { container: string; name: string; rowCounts: Record<string, number> } };
    expect(await postgresRowCounts({ engine: prod, container: db.database.container, database: db.database.name })).toEqual(db.database.rowCounts);
  });
});

describe('PostgreSQL round trip production → uat', () => {
  it('database mode into a cluster without the roles (--no-owner): the database is created', async () => {
    const dump = await openPostgresDump({ engine: prod, container: source, mode: 'database', database: 'seed' });
    expect(dump).toMatchObject({ format: 'custom', command: 'pg_dump -U postgres -Fc -Z0 -d seed' });
    await loadPostgresDump({ engine: uat, container: target, input: dump.stream, mode: 'database', database: 'seed', noOwner: true });
    expect(await postgresRowCounts({ engine: uat, container: target, database: 'seed' })).toEqual(EXPECTED);
  });

  it('dumpall over an existing cluster, stopping at the first error (roles, databases replaced)', async () => {
    // Something that must be gone afterwards: the dump drops and recreates "seed".
    await dockerCli(lab.machine('uat'), 'exec', target, 'psql', '-U', 'postgres', '-d', 'seed', '-c', 'CREATE TABLE extra (x int)');
    const dump = await openPostgresDump({ engine: prod, container: source, mode: 'dumpall' });
    expect(dump.format).toBe('sql');
    await loadPostgresDump({ engine: uat, container: target, input: dump.stream, mode: 'dumpall' });
    expect(await postgresRowCounts({ engine: uat, container: target, database: 'seed' })).toEqual(EXPECTED);
    const owner = await dockerCli(lab.machine('uat'), 'exec', target, 'psql', '-U', 'postgres', '-d', 'seed', '-Atc', "SELECT tableowner FROM pg_tables WHERE tablename = 'customers'");
    expect(owner).toBe('app');
  });

  it('database mode over an existing database with its owners', async () => {
    await dockerCli(lab.machine('uat'), 'exec', target, 'psql', '-U', 'postgres', '-d', 'seed', '-c', 'DELETE FROM big WHERE id > 10');
    const dump = await openPostgresDump({ engine: prod, container: source, mode: 'database', database: 'seed' });
    await loadPostgresDump({ engine: uat, container: target, input: dump.stream, mode: 'database', database: 'seed' });
    expect(await postgresRowCounts({ engine: uat, container: target, database: 'seed' })).toEqual(EXPECTED);
  });
});

describe('PostgreSQL failures', () => {
  it('a dump whose command fails errors the stream with its stderr', async () => {
    const dump = await openPostgresDump({ engine: prod, container: source, mode: 'database', database: 'nope' });
    const failure = await (async () => {
      for await (const _ of dump.stream) void _;
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ExecFailedError);
    expect(failure).toMatchObject({ code: 'DOCKER_ERROR', exitCode: 1 });
    expect((failure as Error).message).toMatch(/database "nope" does not exist/);
    expect((failure as Error).message).not.toContain('hindsight-exec-pid');
  });

  it('a load that fails stops at the first error and says why', async () => {
    const bad = Readable.from([Buffer.from('CREATE TABLE ok1 (x int);\nSELECT * FROM no_such_table;\nCREATE TABLE never (x int);\n')]);
    const failure = await loadPostgresDump({ engine: uat, container: target, input: bad, mode: 'dumpall' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ExecFailedError);
    expect((failure as Error).message).toMatch(/relation "no_such_table" does not exist/);
    const never = await dockerCli(lab.machine('uat'), 'exec', target, 'psql', '-U', 'postgres', '-Atc', "SELECT count(*) FROM pg_tables WHERE tablename = 'never'");
    expect(never).toBe('0');

    const garbage = Readable.from([Buffer.from('not a custom-format archive')]);
    await expect(loadPostgresDump({ engine: uat, container: target, input: garbage, mode: 'database', database: 'seed' })).rejects.toThrow(/pg_restore|input file/);
    expect(await postgresRowCounts({ engine: uat, container: target, database: 'seed' })).toEqual(EXPECTED);
  });

  it('a stopped or missing container is a clear error', async () => {
    await expect(openPostgresDump({ engine: prod, container: uniqueName('hs-none'), mode: 'dumpall' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('aborting a dump mid-stream ends the stream and kills pg_dump in the container', async () => {
    const controller = new AbortController();
    const dump = await openPostgresDump({ engine: prod, container: source, mode: 'database', database: 'seed', signal: controller.signal });
    const first = await new Promise<Buffer>((r) => dump.stream.once('data', r));
    dump.stream.pause(); // pg_dump now blocks on a full pipe: only a kill ends it
    expect(first.length).toBeGreaterThan(0);
    await waitFor('pg_dump running', async () => (await processes('production', source)).includes('pg_dump'));
    const failed = new Promise((r) => dump.stream.once('error', r));
    controller.abort();
    expect(await failed).toMatchObject({ code: 'CANCELLED' });
    await waitFor('pg_dump gone', async () => !(await processes('production', source)).includes('pg_dump'), 15_000);
  });

  it('aborting a load mid-stream kills pg_restore; the single transaction leaves the database as it was', async () => {
    const controller = new AbortController();
    const dump = await openPostgresDump({ engine: prod, container: source, mode: 'database', database: 'seed' });
    let sent = 0;
    dump.stream.on('data', (c: Buffer) => {
      sent += c.length;
      if (sent > 2_000_000 && !controller.signal.aborted) controller.abort();
    });
    await dockerCli(lab.machine('uat'), 'exec', target, 'psql', '-U', 'postgres', '-d', 'seed', '-c', 'DELETE FROM customers WHERE id > 300');
    const failure = await loadPostgresDump({ engine: uat, container: target, input: dump.stream, mode: 'database', database: 'seed', signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: 'CANCELLED' });
    await waitFor('pg_restore gone', async () => !(await processes('uat', target)).includes('pg_restore'), 15_000);
    expect(await postgresRowCounts({ engine: uat, container: target, database: 'seed' })).toEqual({ ...EXPECTED, customers: 300 });
  });
});
