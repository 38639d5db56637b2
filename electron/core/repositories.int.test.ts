/**
 * The `repositories.*` domain against the lab, from the lab's own ready-made config dir (copied):
 * its S3 repository `lab-s3` and its SFTP repository `annex`, each moved to a prefix / directory of
 * its own per run so runs never collide, and removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/program.js';
import { createBackend, type Backend } from './backend.js';
import { S3Backend } from './repository/index.js';
import { readLab } from './testing/lab.js';

const lab = readLab();
const s3 = lab.s3!;
const annex = lab.annex!;
const RUN = `hs-repos-${process.pid}-${randomBytes(3).toString('hex')}`;

let configDir: string;
let backend: Backend;
const others: Backend[] = [];

/** The lab's config dir, copied, with both repositories pointed at this run's own locations. */
async function copyLabConfig(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hindsight-repos-int-'));
  await fs.cp(lab.configDir, dir, { recursive: true });
  const file = path.join(dir, 'repositories.json');
  const data = JSON.parse(await fs.readFile(file, 'utf8')) as { repositories: Array<Record<string, unknown>> };
  for (const r of data.repositories) {
    if (r.kind === 's3') r.prefix = `${RUN}/`;
    if (r.kind === 'sftp') r.path = `${annex.repoPath}/${RUN}`;
  }
  await fs.writeFile(file, JSON.stringify(data, null, 2));
  return dir;
}

beforeAll(async () => {
  configDir = await copyLabConfig();
  backend = await createBackend({ configDir, userKnownHostsPath: null, seedLocalHost: false });
});

afterAll(async () => {
  for (const b of [backend, ...others]) await b?.dispose();
  const bucket = new S3Backend({
    name: 'cleanup',
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    bucket: s3.buckets[0]!,
    prefix: `${RUN}/`,
    credentials: { source: 'keys', accessKeyId: s3.accessKeyId },
    secrets: { secretAccessKey: s3.secretAccessKey },
    maxAttempts: 3,
  });
  const keys: string[] = [];
  for await (const o of bucket.list('')) keys.push(o.key);
  for (const k of keys) await bucket.deleteObject(k);
  await bucket.close();
  await fs.rm(path.join(annex.hostRepoPath, RUN), { recursive: true, force: true });
  if (configDir) await fs.rm(configDir, { recursive: true, force: true });
});

const idOf = async (name: string) => {
  const repo = (await backend.handlers.repositories.list({})).find((r) => r.name === name);
  if (!repo) throw new Error(`no repository ${name}`);
  return repo.id;
};

describe('repositories from the lab config', () => {
  it('lists the built-in local repository and both lab repositories, never a secret', async () => {
    const list = await backend.handlers.repositories.list({});
    expect(list.map((r) => [r.name, r.kind])).toEqual([
      ['local', 'local'],
      ['lab-s3', 's3'],
      ['annex', 'sftp'],
    ]);
    expect(list[0]).toMatchObject({ builtIn: true, path: path.join(configDir, 'repository') });
    expect(list[1]).toMatchObject({ hasSecret: true, bucket: s3.buckets[0], credentials: { source: 'keys', accessKeyId: s3.accessKeyId } });
    expect(JSON.stringify(list)).not.toContain(s3.secretAccessKey);

    // The same through the CLI (router, in-process transport, typed client).
    const out: string[] = [];
    const code = await runCli(['repo', 'list', '--json'], {
      createBackend: (o) => createBackend({ ...o, userKnownHostsPath: null, seedLocalHost: false }),
      configDir,
      appVersion: 'test',
      output: { out: (t) => out.push(t), err: (t) => out.push(t) },
    });
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toHaveLength(3);
    expect(out.join('\n')).not.toContain(s3.secretAccessKey);
  });

  it.each(['lab-s3', 'annex'])('%s: check finds no marker, init writes it, check then passes', async (name) => {
    const id = await idOf(name);
    expect(await backend.handlers.repositories.check({ id })).toMatchObject({
      ok: false,
      step: 'marker',
      code: 'NOT_FOUND',
      message: expect.stringContaining('not a Hindsight repository yet'),
    });
    const made = await backend.handlers.repositories.init({ id });
    expect(made).toMatchObject({ format: 'hindsight/1', location: expect.stringContaining(RUN) });
    const checked = await backend.handlers.repositories.check({ id });
    expect(checked).toMatchObject({ ok: true, format: 'hindsight/1', id: made.id, createdAt: made.createdAt });
    await expect(backend.handlers.repositories.init({ id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('a wrong S3 access key is a clear failure at the auth step', async () => {
    const bad = await backend.handlers.repositories.add({
      name: 'wrong-key',
      kind: 's3',
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.buckets[0]!,
      prefix: `${RUN}/`,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { source: 'keys', accessKeyId: 'not-a-lab-key' },
      secretAccessKey: s3.secretAccessKey,
    });
    const result = await backend.handlers.repositories.check({ id: bad.id });
    expect(result).toMatchObject({ ok: false, step: 'auth', code: 'AUTH_FAILED', message: expect.stringMatching(/refused the credentials \(InvalidAccessKeyId\)/) });
    expect(JSON.stringify(result)).not.toContain(s3.secretAccessKey);
    expect(JSON.stringify(await backend.handlers.repositories.list({}))).not.toContain(s3.secretAccessKey);
    expect(await backend.handlers.repositories.remove({ id: bad.id })).toEqual({ removed: true });
  });

  it("an unknown annex host key is shown with its fingerprint and accepted through the hosts' flow", async () => {
    const dir = await copyLabConfig();
    await fs.rm(path.join(dir, 'known_hosts'));
    const fresh = await createBackend({ configDir: dir, userKnownHostsPath: null, seedLocalHost: false });
    others.push(fresh);
    try {
      const first = await fresh.handlers.repositories.check({ id: 'lab-annex' });
      const hostPattern = `[${annex.address}]:${annex.port}`;
      expect(first).toMatchObject({
        ok: false,
        step: 'hostkey',
        code: 'HOSTKEY_UNKNOWN',
        hostKey: { hostPattern, fingerprint: annex.hostKeyFingerprint, status: 'unknown' },
      });
      expect(await fresh.handlers.hosts.acceptHostKey({ hostPattern, fingerprint: annex.hostKeyFingerprint })).toEqual({ accepted: true });
      // Reachable and logged in now; this run's directory on annex is initialised by the test above.
      expect(await fresh.handlers.repositories.check({ id: 'lab-annex' })).toMatchObject({ ok: true });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
