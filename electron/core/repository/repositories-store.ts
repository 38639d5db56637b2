/**
 * The saved repositories, in `repositories.json` next to hosts.json:
 *   {"version":1,"repositories":[{id,name,kind,createdAt,…settings}]}
 * and their secrets (S3 secret key and session token, SSH key passphrase) in a separate
 * `repository-secrets.json`, mode 0600: {"version":1,"secrets":{"<id>":{…}}}. Nothing in the
 * secrets file is ever returned by list/get; they say only `hasSecret`. Both files are written
 * atomically (temp + fsync + rename) and re-read on every call, like hosts.json.
 *
 * One repository is built in and never stored: "local", the folder `<config dir>/repository`,
 * so a new user can back up with no configuration at all.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { defaultRegion } from './s3/default-region.js';
import { RpcError } from '../../../shared/contract/errors.js';
import {
  RepositoryConfig,
  RepositoryInput,
  RepositorySecrets,
  type Repository,
} from '../../../shared/contract/repositories.js';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { Mutex } from '../config/mutex.js';
import { defaultLocalRepositoryPath } from './local-backend.js';

export const BUILT_IN_ID = 'local';

const RepositoriesFile = z.object({ version: z.literal(1), repositories: z.array(RepositoryConfig) });
type RepositoriesFile = z.infer<typeof RepositoriesFile>;
const SecretsFile = z.object({ version: z.literal(1), secrets: z.record(z.string(), RepositorySecrets) });
type SecretsFile = z.infer<typeof SecretsFile>;

export type NewRepository = z.output<typeof RepositoryInput>;

export function repositoryFiles(configDir: string) {
  return {
    repositories: path.join(configDir, 'repositories.json'),
    secrets: path.join(configDir, 'repository-secrets.json'),
  };
}

/** The secrets carried by an input: undefined = keep what is stored, "" = forget it. */
function secretsOf(input: NewRepository): Partial<Record<keyof RepositorySecrets, string>> {
  if (input.kind === 's3') return { secretAccessKey: input.secretAccessKey, sessionToken: input.sessionToken };
  if (input.kind === 'sftp') return { keyPassphrase: input.keyPassphrase };
  return {};
}

/** The stored config of an input: the input without its secrets. */
function configOf(input: NewRepository, id: string, createdAt: string): RepositoryConfig {
  const { secretAccessKey: _s, sessionToken: _t, keyPassphrase: _k, ...rest } = input as NewRepository & Record<string, unknown>;
  if (input.kind === 's3' && !input.region?.trim()) {
    rest.region = defaultRegion(input.credentials.source === 'profile' ? input.credentials.profile : undefined);
  }
  return RepositoryConfig.parse({ ...rest, id, createdAt });
}

export class RepositoriesStore {
  private readonly mutex = new Mutex();
  readonly files: ReturnType<typeof repositoryFiles>;

  constructor(readonly configDir: string) {
    this.files = repositoryFiles(configDir);
  }

  /** The built-in local repository. */
  builtIn(): RepositoryConfig {
    return { id: BUILT_IN_ID, name: 'local', kind: 'local', createdAt: '1970-01-01T00:00:00.000Z', path: defaultLocalRepositoryPath(this.configDir) };
  }

  private async load(): Promise<RepositoriesFile> {
    return (await readJsonFile(this.files.repositories, RepositoriesFile)) ?? { version: 1, repositories: [] };
  }

  private async loadSecrets(): Promise<SecretsFile> {
    return (await readJsonFile(this.files.secrets, SecretsFile)) ?? { version: 1, secrets: {} };
  }

  private async toPublic(configs: RepositoryConfig[]): Promise<Repository[]> {
    const { secrets } = await this.loadSecrets();
    return configs.map((c) => {
      const s = secrets[c.id];
      const hasSecret = !!s && Object.values(s).some((v) => !!v);
      return { ...c, hasSecret, builtIn: c.id === BUILT_IN_ID } as Repository;
    });
  }

  async list(): Promise<Repository[]> {
    return this.toPublic([this.builtIn(), ...(await this.load()).repositories]);
  }

  /** The stored form, for core's own use (opening the backend). */
  async stored(id: string): Promise<RepositoryConfig> {
    if (id === BUILT_IN_ID) return this.builtIn();
    const repo = (await this.load()).repositories.find((r) => r.id === id);
    if (!repo) throw new RpcError('NOT_FOUND', `There is no saved repository with id "${id}".`);
    return repo;
  }

  async get(id: string): Promise<Repository> {
    const [repo] = await this.toPublic([await this.stored(id)]);
    return repo!;
  }

  /** A repository's secrets — for opening its backend; never to be sent anywhere. */
  async secrets(id: string): Promise<RepositorySecrets> {
    return (await this.loadSecrets()).secrets[id] ?? {};
  }

  async add(input: NewRepository): Promise<Repository> {
    return this.mutex.run(async () => {
      const data = await this.load();
      assertNameFree([this.builtIn(), ...data.repositories], input.name);
      const config = configOf(input, randomUUID(), new Date().toISOString());
      // Secrets first: a repository that appears without its secret would fail its first use.
      await this.writeSecrets(config.id, secretsOf(input), true);
      data.repositories.push(config);
      await this.save(data);
      return this.get(config.id);
    });
  }

  /** Replaces the settings; secrets absent from the input are kept unless the kind changes. */
  async update(id: string, input: NewRepository): Promise<Repository> {
    if (id === BUILT_IN_ID) throw new RpcError('CONFLICT', 'The built-in local repository cannot be changed; add another repository instead.');
    return this.mutex.run(async () => {
      const data = await this.load();
      const i = data.repositories.findIndex((r) => r.id === id);
      const old = data.repositories[i];
      if (!old) throw new RpcError('NOT_FOUND', `There is no saved repository with id "${id}".`);
      assertNameFree([this.builtIn(), ...data.repositories.filter((r) => r.id !== id)], input.name);
      await this.writeSecrets(id, secretsOf(input), input.kind !== old.kind);
      data.repositories[i] = configOf(input, id, old.createdAt);
      await this.save(data);
      return this.get(id);
    });
  }

  async remove(id: string): Promise<boolean> {
    if (id === BUILT_IN_ID) throw new RpcError('CONFLICT', 'The built-in local repository cannot be removed.');
    return this.mutex.run(async () => {
      const data = await this.load();
      const before = data.repositories.length;
      data.repositories = data.repositories.filter((r) => r.id !== id);
      if (data.repositories.length === before) return false;
      await this.save(data);
      await this.writeSecrets(id, {}, true);
      return true;
    });
  }

  private async save(data: RepositoriesFile): Promise<void> {
    await writeFileAtomic(this.files.repositories, JSON.stringify(data, null, 2) + '\n');
  }

  /** Applies secret changes for one repository; `reset` drops what is not in `changes`. */
  private async writeSecrets(id: string, changes: Partial<Record<keyof RepositorySecrets, string>>, reset: boolean): Promise<void> {
    const file = await this.loadSecrets();
    const before = JSON.stringify(file.secrets[id] ?? {});
    const next: RepositorySecrets = reset ? {} : { ...file.secrets[id] };
    for (const [k, v] of Object.entries(changes) as Array<[keyof RepositorySecrets, string | undefined]>) {
      if (v === undefined) continue;
      if (v === '') delete next[k];
      else next[k] = v;
    }
    if (JSON.stringify(next) === before) return;
    if (Object.keys(next).length) file.secrets[id] = next;
    else delete file.secrets[id];
    await writeFileAtomic(this.files.secrets, JSON.stringify(file, null, 2) + '\n', 0o600);
  }
}

function assertNameFree(repos: RepositoryConfig[], name: string): void {
  if (repos.some((r) => r.name.toLowerCase() === name.toLowerCase())) {
    throw new RpcError('CONFLICT', `A repository named "${name}" already exists.`);
  }
}
