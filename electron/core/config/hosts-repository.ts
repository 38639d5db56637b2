/**
 * The saved hosts, in hosts.json: {"version":1,"hosts":[{id,name,role,protected,createdAt,connection}]}.
 * That is the contract's Host minus `hasPassphrase`, which is derived from the secret store. The
 * lab writes this file too, so the format is part of the project's surface: keep it stable.
 * The file is re-read on every call (it is tiny) so edits made outside the app are picked up.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import { Host, HostConnection, HostInput, HostRole } from '../../../shared/contract/hosts.js';
import { readJsonFile, writeFileAtomic } from './atomic-file.js';
import { Mutex } from './mutex.js';
import type { SecretsStore } from './secrets-store.js';

export const StoredHost = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  role: HostRole.default('other'),
  protected: z.boolean().default(false),
  createdAt: z.string(),
  connection: HostConnection,
});
export type StoredHost = z.infer<typeof StoredHost>;

const HostsFile = z.object({ version: z.literal(1), hosts: z.array(StoredHost) });
type HostsFile = z.infer<typeof HostsFile>;

export type NewHost = z.output<typeof HostInput>;
export type HostPatch = Partial<NewHost>;

export class HostsRepository {
  private readonly mutex = new Mutex();

  constructor(
    private readonly file: string,
    private readonly secrets: SecretsStore,
  ) {}

  /** False until the first host is saved (or the lab wrote the file): "first run". */
  async exists(): Promise<boolean> {
    return fs.access(this.file).then(
      () => true,
      () => false,
    );
  }

  private async load(): Promise<HostsFile> {
    return (await readJsonFile(this.file, HostsFile)) ?? { version: 1, hosts: [] };
  }

  private async save(data: HostsFile): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
  }

  private async toPublic(hosts: StoredHost[]): Promise<Host[]> {
    const withSecret = await this.secrets.hostIdsWithPassphrase();
    return hosts.map((h) => ({ ...h, hasPassphrase: withSecret.has(h.id) }));
  }

  async list(): Promise<Host[]> {
    return this.toPublic((await this.load()).hosts);
  }

  /** The stored form, for core's own use (connecting). */
  async stored(id: string): Promise<StoredHost> {
    const host = (await this.load()).hosts.find((h) => h.id === id);
    if (!host) throw new RpcError('NOT_FOUND', `There is no saved host with id "${id}".`);
    return host;
  }

  async get(id: string): Promise<Host> {
    const [host] = await this.toPublic([await this.stored(id)]);
    return host!;
  }

  async add(input: NewHost): Promise<Host> {
    return this.mutex.run(async () => {
      const data = await this.load();
      assertNameFree(data.hosts, input.name);
      const host: StoredHost = {
        id: randomUUID(),
        name: input.name,
        role: input.role,
        protected: input.protected,
        createdAt: new Date().toISOString(),
        connection: input.connection,
      };
      // Secret first: a host that appears without its passphrase would fail its first check.
      if (input.keyPassphrase) await this.secrets.setPassphrase(host.id, input.keyPassphrase);
      data.hosts.push(host);
      await this.save(data);
      return this.get(host.id);
    });
  }

  /** Applies a patch; `keyPassphrase: ""` forgets the stored passphrase. */
  async update(id: string, patch: HostPatch): Promise<Host> {
    return this.mutex.run(async () => {
      const data = await this.load();
      const host = data.hosts.find((h) => h.id === id);
      if (!host) throw new RpcError('NOT_FOUND', `There is no saved host with id "${id}".`);
      if (patch.name !== undefined && patch.name !== host.name) {
        assertNameFree(data.hosts.filter((h) => h.id !== id), patch.name);
        host.name = patch.name;
      }
      if (patch.role !== undefined) host.role = patch.role;
      if (patch.protected !== undefined) host.protected = patch.protected;
      if (patch.connection !== undefined) host.connection = patch.connection;
      if (patch.keyPassphrase !== undefined) await this.secrets.setPassphrase(id, patch.keyPassphrase);
      await this.save(data);
      return this.get(id);
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.mutex.run(async () => {
      const data = await this.load();
      const before = data.hosts.length;
      data.hosts = data.hosts.filter((h) => h.id !== id);
      if (data.hosts.length === before) return false;
      await this.save(data);
      await this.secrets.setPassphrase(id, undefined);
      return true;
    });
  }

  /**
   * First-run seeding: writes hosts.json with `inputs` only if the file still does not exist
   * (checked under the lock, so a host the user added meanwhile is never overwritten).
   */
  async seedIfMissing(inputs: NewHost[]): Promise<Host[] | undefined> {
    const seeded = await this.mutex.run(async () => {
      if (await this.exists()) return undefined;
      const hosts: StoredHost[] = inputs.map((input) => ({
        id: randomUUID(),
        name: input.name,
        role: input.role,
        protected: input.protected,
        createdAt: new Date().toISOString(),
        connection: input.connection,
      }));
      await this.save({ version: 1, hosts });
      return hosts;
    });
    return seeded && this.toPublic(seeded);
  }
}

function assertNameFree(hosts: StoredHost[], name: string): void {
  // Case-insensitive: "Production" and "production" side by side would only confuse.
  const clash = hosts.find((h) => h.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new RpcError('CONFLICT', `A host named "${clash.name}" already exists; pick another name.`);
}
