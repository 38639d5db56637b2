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

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [dir, count] = process.argv.slice(2);
  if (!dir) throw new Error('usage: prepare-config.ts <dir> [count]');
  const t0 = Date.now();
  const out = prepareConfig(path.resolve(dir), Number(count ?? 10_000));
  console.log(`seeded ${out.count} manifests in ${out.repositoryPath} (${Date.now() - t0} ms): ${out.first} … ${out.last}`);
}
