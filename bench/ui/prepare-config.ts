/**
 * A config dir for the UI bench (and for looking at a big timeline by hand): a copy of the lab's
 * config (so the lab's hosts are there for the log flood) plus a local-folder repository "bench"
 * seeded with `count` manifests.
 *
 *   npx tsx bench/ui/prepare-config.ts <dir> [count]
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedRepository, type SeedResult } from './seed.js';
import { RepositoryInput } from '../../shared/contract/repositories.js';
import { createBackend, listKeys, LocalBackend, RepositoriesStore, type RepositoryBackend } from '../../electron/core/repository/index.js';
import { SnapshotSummaryCache, snapshotSummaries } from '../../electron/core/backup/snapshot-summaries.js';
import { readLab } from '../../electron/core/testing/lab.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH_REPOSITORY_ID = 'bench-local';

export function prepareConfig(dir: string, count: number): SeedResult {
  const labConfig = path.join(root, '.lab/config');
  if (existsSync(labConfig)) cpSync(labConfig, dir, { recursive: true });
  const reposFile = path.join(dir, 'repositories.json');
  const repos = existsSync(reposFile) ? (JSON.parse(readFileSync(reposFile, 'utf8')) as { version: number; repositories: unknown[] }) : { version: 1, repositories: [] };
  const repositoryPath = path.join(dir, 'bench-repository');
  repos.repositories = repos.repositories.filter((r) => (r as { id: string }).id !== BENCH_REPOSITORY_ID);
  repos.repositories.push({ id: BENCH_REPOSITORY_ID, name: 'bench', createdAt: new Date().toISOString(), kind: 'local', path: repositoryPath });
  writeFileSync(reposFile, JSON.stringify(repos, null, 2));
  return seedRepository(repositoryPath, count);
}

/**
 * The seeded manifests copied to a fresh prefix of the lab's S3 server, added to the config as the
 * repository "bench-s3" (the lab must be up). Returns its id.
 */
export async function seedS3(dir: string, repositoryPath: string): Promise<string> {
  const s3 = readLab().s3;
  if (!s3) throw new Error('the lab has no S3 server: npm run lab:up, or BENCH_SKIP_S3=1');
  const store = new RepositoriesStore(dir);
  const prefix = `bench-ui-${Date.now().toString(36)}/`;
  const repo = await store.add(RepositoryInput.parse({ name: 'bench-s3', kind: 's3', endpoint: s3.endpoint, region: s3.region, bucket: s3.buckets[0]!, prefix, forcePathStyle: true, credentials: { source: 'keys', accessKeyId: s3.accessKeyId }, secretAccessKey: s3.secretAccessKey }));
  const target = createBackend(await store.stored(repo.id), await store.secrets(repo.id), { configDir: dir });
  const local = new LocalBackend(repositoryPath);
  const keys = await listKeys(local, '');
  const t0 = Date.now();
  for (let i = 0; i < keys.length; i += 32) await Promise.all(keys.slice(i, i + 32).map(async (k) => target.putObject(k, await local.getObject(k))));
  console.log(`copied ${keys.length} objects to ${s3.endpoint}/${s3.buckets[0]}/${prefix} in ${Date.now() - t0} ms`);
  await buildCatalog(target);
  await target.close();
  return repo.id;
}

/** The catalog as the backups would have written it (backup/catalog.ts): one read of every month's summaries. */
export async function buildCatalog(backend: RepositoryBackend): Promise<void> {
  const t0 = Date.now();
  const now = new Date();
  for (let back = 13; back >= 0; back--) {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back + 1, 1) - 1);
    await snapshotSummaries(backend, 'bench', { from: from.toISOString(), to: to.toISOString(), limit: 5000 }, new SnapshotSummaryCache());
  }
  console.log(`catalog of ${backend.location} built in ${Date.now() - t0} ms`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [dir, count] = process.argv.slice(2);
  if (!dir) throw new Error('usage: prepare-config.ts <dir> [count]');
  const t0 = Date.now();
  const out = prepareConfig(path.resolve(dir), Number(count ?? 10_000));
  console.log(`seeded ${out.count} manifests in ${out.repositoryPath} (${Date.now() - t0} ms): ${out.first} … ${out.last}`);
}
