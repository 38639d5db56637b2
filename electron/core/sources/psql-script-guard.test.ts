import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { PsqlScriptGuard } from './psql-script-guard.js';

/** Runs `script` through the guard in chunks of `size` bytes; the output, or the error. */
async function run(script: string, size: number): Promise<{ out: string; error?: Error }> {
  const bytes = Buffer.from(script);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  const out: Buffer[] = [];
  const g = new PsqlScriptGuard();
  g.on('data', (c: Buffer) => out.push(c));
  try {
    await pipeline(Readable.from(pieces), g);
    return { out: Buffer.concat(out).toString() };
  } catch (e) {
    return { out: Buffer.concat(out).toString(), error: e as Error };
  }
}

const SIZES = [1, 2, 3, 7, 64, 1 << 20];

async function passes(script: string) {
  for (const size of SIZES) {
    const r = await run(script, size);
    expect(r.error, `chunks of ${size}: ${String(r.error)}`).toBeUndefined();
    expect(r.out).toBe(script);
  }
}

async function refused(script: string, why: RegExp) {
  for (const size of SIZES) {
    const r = await run(script, size);
    expect(r.error?.message, `chunks of ${size}`).toMatch(why);
    expect(r.out).not.toContain('evil');
  }
}

const DUMPALL = `--
-- PostgreSQL database cluster dump
--

\\restrict abcDEF123

SET default_transaction_read_only = off;
CREATE ROLE app;
ALTER ROLE app WITH NOSUPERUSER INHERIT LOGIN PASSWORD 'md5\\x';
\\connect template1
SELECT pg_catalog.set_config('search_path', '', false);
\\connect -reuse-previous=on "dbname='shop\\'s db'"
\\connect -reuse-previous=on "dbname=Shop"
CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $_$ BEGIN RETURN '\\! not a command'; END $_$;
CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $$ SELECT E'it''s \\\\ \\' ok' $$;
COMMENT ON TABLE t IS 'a \\ backslash; and -- no comment';
/* nested /* comment \\! sh */ still comment \\! sh */
CREATE TABLE "we\\ird" (x text);
COPY public.t (a, b) FROM stdin;
1	\\! looks like a command but is data
2	back\\\\slash
\\.
SELECT 1; -- \\! in a comment
\\unrestrict abcDEF123
`;

describe('PsqlScriptGuard', () => {
  it('passes what pg_dumpall writes, byte for byte, whatever the chunking', () => passes(DUMPALL));

  it('refuses psql meta-commands outside quotes and comments', async () => {
    await refused(`SELECT 1;\n\\! evil\n`, /psql command "\\! evil"/);
    await refused(`SELECT 1; \\! evil\n`, /psql command/);
    await refused(`\\copy t from program 'evil'\n`, /psql command/);
    await refused(`\\o |evil\n`, /psql command/);
    await refused(`\\i /etc/evil\n`, /psql command/);
    await refused(`\\setenv evil 1\n`, /psql command/);
    await refused(`SELECT 'x';\\gexec evil\n`, /psql command/);
  });

  it('refuses a \\connect that is more than a database name (a conninfo could name a host)', async () => {
    await refused(`\\connect -reuse-previous=on "dbname='x' host=evil.example"\n`, /psql command/);
    await refused(`\\connect postgresql://evil.example/db\n`, /psql command/);
    await refused(`\\connect db evil\n`, /psql command/);
  });

  it('the end of COPY data is only a line "\\."; a meta-command after it is caught again', async () => {
    await refused(`COPY t FROM stdin;\n1\n\\.\n\\! evil\n`, /psql command/);
    await passes(`COPY t FROM stdin;\n\\.\n`);
  });

  it('refuses COPY … PROGRAM', async () => {
    await refused(`COPY t TO PROGRAM 'evil';\n`, /COPY … PROGRAM/);
    await refused(`copy t from\n  program 'evil' ;\n`, /COPY … PROGRAM/);
  });
});
