/** `hindsight repo list|add|remove|init|check`, over the typed client. */
import path from 'node:path';
import { RpcError, type Client, type Repository, type RepositoryCheckResult, type RepositoryInput } from '../../shared/contract/index.js';
import { describeFailedCheck, EXIT, type Output } from './hosts-commands.js';
import { formatTable } from './table.js';

/** Where a repository is, in one short line (no secrets: there are none in a Repository). */
export function describeRepository(repo: Repository): string {
  switch (repo.kind) {
    case 's3': {
      const where = `s3://${repo.bucket}/${repo.prefix}`;
      return repo.endpoint ? `${where} at ${repo.endpoint}` : where;
    }
    case 'sftp':
      return `sftp://${repo.user}@${repo.address}${repo.port === 22 ? '' : `:${repo.port}`}${repo.path.startsWith('/') ? '' : '/~/'}${repo.path}`;
    case 'local':
      return repo.path ?? '<config dir>/repository';
  }
}

function credentialsOf(repo: Repository): string {
  if (repo.kind === 's3') {
    const c = repo.credentials;
    const from = c.source === 'keys' ? `key ${c.accessKeyId}` : c.source === 'env' ? 'environment' : `profile ${c.profile ?? '(default)'}`;
    return `${from}${repo.hasSecret ? ', secret stored' : ''}`;
  }
  if (repo.kind === 'sftp') return `${repo.auth.type === 'key' ? `key ${repo.auth.keyPath}` : 'ssh-agent'}${repo.hasSecret ? ', passphrase stored' : ''}`;
  return '-';
}

async function findRepository(client: Client, name: string): Promise<Repository> {
  const repos = await client.repositories.list();
  const repo = repos.find((r) => r.name === name) ?? repos.find((r) => r.id === name);
  if (!repo) throw new RpcError('NOT_FOUND', `No repository named "${name}" (known: ${repos.map((r) => r.name).join(', ')})`);
  return repo;
}

export async function listRepositories(client: Client, output: Output, json: boolean): Promise<number> {
  const repos = await client.repositories.list();
  if (json) {
    output.out(JSON.stringify(repos, null, 2));
    return EXIT.ok;
  }
  const rows = repos.map((r) => [r.name, r.kind, describeRepository(r), credentialsOf(r)]);
  output.out(formatTable(['NAME', 'KIND', 'LOCATION', 'CREDENTIALS'], rows));
  return EXIT.ok;
}

export async function checkRepository(client: Client, output: Output, name: string, json: boolean): Promise<number> {
  const repo = await findRepository(client, name);
  const result = await client.repositories.check({ id: repo.id });
  if (json) output.out(JSON.stringify({ repository: repo.name, ...result }, null, 2));
  else output.out(describeRepositoryCheck(repo.name, result));
  return result.ok ? EXIT.ok : EXIT.checkFailed;
}

export function describeRepositoryCheck(name: string, result: RepositoryCheckResult): string {
  if (result.ok) return `${name}: OK — ${result.format} repository ${result.id}, created ${result.createdAt} (${Math.round(result.latencyMs)} ms)`;
  return describeFailedCheck(name, result);
}

/** Exit 2 when the storage refused (not empty, already a repository, unreachable…); 1 for an unknown name. */
export async function initRepositoryCommand(client: Client, output: Output, name: string, json: boolean): Promise<number> {
  const repo = await findRepository(client, name);
  try {
    const made = await client.repositories.init({ id: repo.id });
    output.out(json ? JSON.stringify({ repository: repo.name, ok: true, ...made }, null, 2) : `${repo.name}: initialised ${made.location} (${made.format}, id ${made.id})`);
    return EXIT.ok;
  } catch (e) {
    if (!RpcError.is(e) || e.code === 'INVALID_INPUT' || e.code === 'CONTRACT_MISMATCH') throw e;
    output.out(json ? JSON.stringify({ repository: repo.name, ok: false, code: e.code, message: e.message }, null, 2) : `${repo.name}: init FAILED (${e.code}): ${e.message}`);
    return EXIT.checkFailed;
  }
}

export interface AddOptions {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  profile?: string;
  key?: string;
  json?: boolean;
}

/** The env variables secrets are read from: never from the command line, where `ps` shows them. */
export const SECRET_ENV = { secretAccessKey: 'HINDSIGHT_S3_SECRET_ACCESS_KEY', sessionToken: 'HINDSIGHT_S3_SESSION_TOKEN', keyPassphrase: 'HINDSIGHT_KEY_PASSPHRASE' } as const;

/**
 * `hindsight repo add <name> <where>`: `s3://bucket/prefix`, `sftp://user@host[:port]/path`, or a
 * local directory (relative paths, of the directory and of --key, are made absolute). Throws a usage
 * error (INVALID_INPUT) for a location it cannot read.
 */
export function repositoryInputOf(name: string, where: string, opts: AddOptions, env: NodeJS.ProcessEnv): RepositoryInput {
  const secret = (k: keyof typeof SECRET_ENV) => env[SECRET_ENV[k]] || undefined;
  if (where.startsWith('s3://')) {
    const [bucket = '', ...rest] = where.slice('s3://'.length).split('/');
    const credentials = opts.accessKeyId
      ? { source: 'keys' as const, accessKeyId: opts.accessKeyId }
      : opts.profile
        ? { source: 'profile' as const, profile: opts.profile }
        : { source: 'env' as const };
    if (credentials.source === 'keys' && !secret('secretAccessKey')) {
      throw new RpcError('INVALID_INPUT', `--access-key-id needs the secret key in ${SECRET_ENV.secretAccessKey}.`);
    }
    return {
      name,
      kind: 's3',
      bucket,
      prefix: rest.join('/'),
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.region ? { region: opts.region } : {}),
      forcePathStyle: !!opts.pathStyle,
      credentials,
      ...(credentials.source === 'keys' ? { secretAccessKey: secret('secretAccessKey'), sessionToken: secret('sessionToken') } : {}),
    };
  }
  if (where.startsWith('sftp://')) {
    let url: URL;
    try {
      url = new URL(where);
    } catch {
      throw new RpcError('INVALID_INPUT', `"${where}" is not an sftp://user@host[:port]/path location.`);
    }
    if (!url.username || !url.hostname || url.pathname.length < 2) {
      throw new RpcError('INVALID_INPUT', `"${where}" needs a user, a host and a path: sftp://user@host[:port]/path.`);
    }
    return {
      name,
      kind: 'sftp',
      address: url.hostname,
      port: url.port ? Number(url.port) : 22,
      user: decodeURIComponent(url.username),
      auth: opts.key ? { type: 'key', keyPath: path.resolve(opts.key) } : { type: 'agent' },
      path: decodeURIComponent(url.pathname),
      keyPassphrase: secret('keyPassphrase'),
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) throw new RpcError('INVALID_INPUT', `Unknown kind of location "${where}": use s3://, sftp:// or a directory.`);
  return { name, kind: 'local', path: path.resolve(where) };
}

export async function addRepository(client: Client, output: Output, input: RepositoryInput, json: boolean): Promise<number> {
  const repo = await client.repositories.add(input);
  output.out(json ? JSON.stringify(repo, null, 2) : `added ${repo.name}: ${repo.kind} ${describeRepository(repo)}. Next: hindsight repo init ${repo.name} (new location) or hindsight repo check ${repo.name}.`);
  return EXIT.ok;
}

export async function removeRepository(client: Client, output: Output, name: string, json: boolean): Promise<number> {
  const repo = await findRepository(client, name);
  const { removed } = await client.repositories.remove({ id: repo.id });
  output.out(json ? JSON.stringify({ repository: repo.name, removed }) : removed ? `removed ${repo.name} (its storage is left as it is)` : `${repo.name} was already gone`);
  return EXIT.ok;
}
