/**
 * The two known_hosts files Hindsight consults: its own (in the config dir, written when the user
 * accepts a key) and the user's ~/.ssh/known_hosts (read-only, so hosts the user already trusts
 * with plain `ssh` just work). When Hindsight's own file has any entry for a host, that file alone
 * decides — the user can override a stale line in ~/.ssh/known_hosts without editing it.
 */
import { readTextIfExists, writeFileAtomic } from '../config/atomic-file.js';
import { Mutex } from '../config/mutex.js';
import {
  entryMatches,
  formatKnownHostsLine,
  judgeHostKey,
  parseKnownHosts,
  type HostKeyVerdict,
  type KnownHostEntry,
} from './known-hosts.js';

export interface KnownHostsView {
  /** The file whose entries decide for this host (for messages), or null if none knows it. */
  file: string | null;
  entries: KnownHostEntry[];
}

export class KnownHostsStore {
  private readonly mutex = new Mutex();

  constructor(
    readonly ownFile: string,
    readonly userFile: string | null,
  ) {}

  private async entriesOf(file: string | null): Promise<KnownHostEntry[]> {
    if (!file) return [];
    return parseKnownHosts((await readTextIfExists(file)) ?? '');
  }

  /** Loads what is known about one host; read before connecting so the verifier can be synchronous. */
  async viewFor(hostPattern: string): Promise<KnownHostsView> {
    const own = (await this.entriesOf(this.ownFile)).filter((e) => entryMatches(e, hostPattern));
    if (own.length) return { file: this.ownFile, entries: own };
    const user = (await this.entriesOf(this.userFile).catch(() => [])).filter((e) => entryMatches(e, hostPattern));
    return { file: user.length ? this.userFile : null, entries: user };
  }

  async judge(hostPattern: string, keyType: string, key: Buffer): Promise<HostKeyVerdict> {
    return judgeHostKey((await this.viewFor(hostPattern)).entries, hostPattern, keyType, key);
  }

  /** Pins a key in Hindsight's own known_hosts (idempotent). */
  async pin(hostPattern: string, keyType: string, key: Buffer): Promise<void> {
    await this.mutex.run(async () => {
      const text = (await readTextIfExists(this.ownFile)) ?? '';
      const already = parseKnownHosts(text).some(
        (e) => e.marker === null && e.keyType === keyType && e.key.equals(key) && entryMatches(e, hostPattern),
      );
      if (already) return;
      const sep = text === '' || text.endsWith('\n') ? '' : '\n';
      await writeFileAtomic(this.ownFile, text + sep + formatKnownHostsLine(hostPattern, keyType, key) + '\n', 0o600);
    });
  }
}
