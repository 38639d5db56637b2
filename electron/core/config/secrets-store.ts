/**
 * Key passphrases, by host id, in secrets.json (mode 0600). Nothing in here is ever returned to a
 * caller of the contract or written to a log: the renderer only learns `hasPassphrase`.
 * (An OS keychain would be better; the file keeps core free of native modules and Electron.)
 */
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from './atomic-file.js';
import { Mutex } from './mutex.js';

const SecretsFile = z.object({
  version: z.literal(1),
  passphrases: z.record(z.string(), z.string()),
});
type SecretsFile = z.infer<typeof SecretsFile>;

export class SecretsStore {
  private readonly mutex = new Mutex();

  constructor(private readonly file: string) {}

  private async load(): Promise<SecretsFile> {
    return (await readJsonFile(this.file, SecretsFile)) ?? { version: 1, passphrases: {} };
  }

  async passphrase(hostId: string): Promise<string | undefined> {
    return (await this.load()).passphrases[hostId];
  }

  async hostIdsWithPassphrase(): Promise<Set<string>> {
    return new Set(Object.keys((await this.load()).passphrases));
  }

  /** Stores a passphrase; undefined or "" removes it. */
  async setPassphrase(hostId: string, passphrase: string | undefined): Promise<void> {
    await this.mutex.run(async () => {
      const data = await this.load();
      const had = hostId in data.passphrases;
      if (passphrase) data.passphrases[hostId] = passphrase;
      else if (had) delete data.passphrases[hostId];
      else return;
      await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', 0o600);
    });
  }
}
