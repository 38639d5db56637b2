/**
 * The saved backup sets, in `backup-sets.json` next to hosts.json:
 *   {"version":1,"sets":[{id,name,hostId,repositoryId,sources,compression,encryption,…}]}
 * and the age passphrase of a set encrypted with one in `backup-set-secrets.json`, mode 0600:
 *   {"version":1,"secrets":{"<id>":{"passphrase":"…"}}}
 * The passphrase is write-only: list/get say `hasPassphrase`, never the value. Both files are
 * written atomically (temp + fsync + rename), validated on read, and re-read on every call.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { BackupSetAddInput, type BackupSetView } from '../../../shared/contract/backup.js';
import { RpcError } from '../../../shared/contract/errors.js';
import { BackupSet } from '../../../shared/contract/snapshots.js';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { Mutex } from '../config/mutex.js';

const SetsFile = z.object({ version: z.literal(1), sets: z.array(BackupSet) });
type SetsFile = z.infer<typeof SetsFile>;
const SecretsFile = z.object({ version: z.literal(1), secrets: z.record(z.string(), z.object({ passphrase: z.string().min(1) })) });
type SecretsFile = z.infer<typeof SecretsFile>;

export function backupSetFiles(configDir: string) {
  return { sets: path.join(configDir, 'backup-sets.json'), secrets: path.join(configDir, 'backup-set-secrets.json') };
}

export class BackupSetsStore {
  private readonly mutex = new Mutex();
  readonly files: ReturnType<typeof backupSetFiles>;

  constructor(
    configDir: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.files = backupSetFiles(configDir);
  }

  private async load(): Promise<SetsFile> {
    return (await readJsonFile(this.files.sets, SetsFile)) ?? { version: 1, sets: [] };
  }

  private async loadSecrets(): Promise<SecretsFile> {
    return (await readJsonFile(this.files.secrets, SecretsFile)) ?? { version: 1, secrets: {} };
  }

  private async toView(sets: BackupSet[]): Promise<BackupSetView[]> {
    const { secrets } = await this.loadSecrets();
    return sets.map((s) => ({ ...s, hasPassphrase: !!secrets[s.id]?.passphrase }));
  }

  async list(): Promise<BackupSetView[]> {
    return this.toView((await this.load()).sets);
  }

  /** By id, or else by name (the CLI's `hindsight backup <set>`). */
  async stored(idOrName: string): Promise<BackupSet> {
    const { sets } = await this.load();
    const set = sets.find((s) => s.id === idOrName) ?? sets.find((s) => s.name === idOrName);
    if (!set) throw new RpcError('NOT_FOUND', `There is no backup set "${idOrName}"${sets.length ? ` (known: ${sets.map((s) => s.name).join(', ')})` : ''}.`);
    return set;
  }

  /** For the backup run only; never to be sent anywhere. */
  async passphrase(id: string): Promise<string | undefined> {
    return (await this.loadSecrets()).secrets[id]?.passphrase;
  }

  async add(raw: z.input<typeof BackupSetAddInput>): Promise<BackupSetView> {
    const parsed = BackupSetAddInput.safeParse(raw);
    if (!parsed.success) throw new RpcError('INVALID_INPUT', `The backup set is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const { passphrase, ...input } = parsed.data;
    if (input.encryption === 'age-passphrase' && !passphrase) throw new RpcError('INVALID_INPUT', 'Encryption with a passphrase needs the passphrase.');
    if (input.encryption !== 'age-passphrase' && passphrase) throw new RpcError('INVALID_INPUT', 'A passphrase is only for encryption "age-passphrase".');
    if (input.encryption === 'age-recipients' && !input.recipients.length) throw new RpcError('INVALID_INPUT', 'Encryption to recipients needs at least one age1… public key.');
    return this.mutex.run(async () => {
      const data = await this.load();
      if (data.sets.some((s) => s.name.toLowerCase() === input.name.toLowerCase())) throw new RpcError('CONFLICT', `A backup set named "${input.name}" already exists.`);
      const set = BackupSet.parse({ ...input, id: randomUUID(), createdAt: this.clock().toISOString() });
      // Secret first: a set that appears without its passphrase would fail its first run.
      if (passphrase) await this.writeSecret(set.id, passphrase);
      data.sets.push(set);
      await writeFileAtomic(this.files.sets, JSON.stringify(data, null, 2) + '\n');
      return (await this.toView([set]))[0]!;
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.mutex.run(async () => {
      const data = await this.load();
      const before = data.sets.length;
      data.sets = data.sets.filter((s) => s.id !== id);
      if (data.sets.length === before) return false;
      await writeFileAtomic(this.files.sets, JSON.stringify(data, null, 2) + '\n');
      await this.writeSecret(id, undefined);
      return true;
    });
  }

  private async writeSecret(id: string, passphrase: string | undefined): Promise<void> {
    const file = await this.loadSecrets();
    if (!passphrase && !file.secrets[id]) return;
    if (passphrase) file.secrets[id] = { passphrase };
    else delete file.secrets[id];
    await writeFileAtomic(this.files.secrets, JSON.stringify(file, null, 2) + '\n', 0o600);
  }
}
