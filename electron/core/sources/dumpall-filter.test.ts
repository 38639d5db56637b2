import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { DumpallRoleFilter } from './dumpall-filter.js';

const DUMP = [
  'SET standard_conforming_strings = on;',
  'DROP DATABASE IF EXISTS shop;',
  'DROP ROLE IF EXISTS app;',
  'DROP ROLE IF EXISTS postgres;',
  'CREATE ROLE app;',
  'ALTER ROLE app WITH LOGIN;',
  'CREATE ROLE postgres;',
  'ALTER ROLE postgres WITH SUPERUSER;',
  '\\connect template1',
  'COPY public.t (x) FROM stdin;',
  'CREATE ROLE postgres;',
  '\\.',
  '',
].join('\n');

async function filtered(input: string, chunk: number): Promise<string> {
  const pieces: Buffer[] = [];
  const bytes = Buffer.from(input);
  for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk));
  return text(Readable.from(pieces).pipe(new DumpallRoleFilter('postgres')));
}

describe('DumpallRoleFilter', () => {
  it("drops only the connected role's CREATE/DROP ROLE, only before the first \\connect", async () => {
    for (const chunk of [1, 5, 64, 10_000]) {
      const out = await filtered(DUMP, chunk);
      expect(out).toBe(DUMP.replace('DROP ROLE IF EXISTS postgres;\n', '').replace('CREATE ROLE postgres;\nALTER', 'ALTER'));
      // Data after \connect is never touched, even when it looks like a statement.
      expect(out.split('\\connect template1')[1]).toContain('CREATE ROLE postgres;');
    }
  });

  it('knows quoted role names', async () => {
    const out = await text(Readable.from([Buffer.from('CREATE ROLE "Big Boss";\nALTER ROLE "Big Boss" WITH LOGIN;\n')]).pipe(new DumpallRoleFilter('Big Boss')));
    expect(out).toBe('ALTER ROLE "Big Boss" WITH LOGIN;\n');
  });

  it('passes input without a newline at the end', async () => {
    expect(await filtered('SELECT 1;', 3)).toBe('SELECT 1;');
  });
});
