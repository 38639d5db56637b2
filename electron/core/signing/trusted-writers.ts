/**
 * The writers whose snapshots this console trusts, pinned like SSH host keys:
 * `<config dir>/trusted-writers.json`. This console's own key is always trusted, for every host (it
 * backs up any host through the relay). A host's agent key is pinned when the console installs the
 * agent, and trusted for that host only: a compromised production agent can then sign snapshots of
 * production, never ones that claim to come from uat.
 */
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { consoleSigner, keyIdOf } from './writer-key.js';

export const TRUSTED_WRITERS_FILE = 'trusted-writers.json';

export const TrustedWriter = z.object({
  keyId: z.string(),
  /** Raw Ed25519 public key, base64. */
  publicKey: z.string(),
  writer: z.string(),
  /** Host ids whose snapshots it may sign, or "*" for any host. */
  hosts: z.union([z.literal('*'), z.array(z.string())]),
  addedAt: z.string(),
});
export type TrustedWriter = z.infer<typeof TrustedWriter>;

const TrustedWritersFile = z.object({ version: z.literal(1), writers: z.array(TrustedWriter) });

/**
 * The writers a console sends with a request to its host's agent (a direct restore, a
 * point-in-time recovery): that console's own list, so the agent checks the snapshot against the
 * console that asked — not against whatever the last push left, and without a push before each one.
 */
export const RequestWriters = z.array(TrustedWriter).max(1000);

export class TrustedWriters {
  private readonly file: string;

  /** `given`: the writers a request brought (RequestWriters), used instead of the stored ones. */
  constructor(
    private readonly configDir: string,
    private readonly given?: TrustedWriter[],
  ) {
    this.file = path.join(configDir, TRUSTED_WRITERS_FILE);
  }

  /** Every trusted writer, this console's own key first. */
  async list(): Promise<TrustedWriter[]> {
    const own = await consoleSigner(this.configDir);
    const stored = this.given ?? (await readJsonFile(this.file, TrustedWritersFile))?.writers ?? [];
    return [{ keyId: own.keyId, publicKey: own.publicKey, writer: `${own.writer} (this console)`, hosts: '*', addedAt: '' }, ...stored.filter((w) => w.keyId !== own.keyId)];
  }

  /** Pins a writer's public key for the given hosts (an agent: its one host). */
  async pin(writer: { publicKey: string; writer: string; hosts: '*' | string[] }): Promise<TrustedWriter> {
    const keyId = keyIdOf(Buffer.from(writer.publicKey, 'base64'));
    const stored = (await readJsonFile(this.file, TrustedWritersFile))?.writers ?? [];
    const entry: TrustedWriter = { keyId, publicKey: writer.publicKey, writer: writer.writer, hosts: writer.hosts, addedAt: new Date().toISOString() };
    const next = [...stored.filter((w) => w.keyId !== keyId), entry];
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, writers: next }, null, 2) + '\n', 0o600);
    return entry;
  }

  async find(keyId: string): Promise<TrustedWriter | undefined> {
    return (await this.list()).find((w) => w.keyId === keyId);
  }
}
