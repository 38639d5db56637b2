/**
 * Multipart uploads this machine has open, one small file each under `<config dir>/uploads/`:
 * written when S3 hands out the upload id, removed when the upload completes or is aborted. A
 * process killed mid-upload (kill -9, a crashed agent, a power cut) cannot abort its upload; its
 * parts would stay in the bucket, billed, until a lifecycle rule removes them. The journal lets the
 * next process abort them: an entry is an orphan when its writer is gone — another run of the
 * machine or container (`instance`, agent/instance.ts), or a pid that no longer runs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { containerInstance, pidAlive } from '../../config/process-instance.js';
import { readJsonFile, writeFileAtomic } from '../../config/atomic-file.js';

const Entry = z.object({ repositoryId: z.string(), bucket: z.string(), key: z.string(), uploadId: z.string(), instance: z.string(), pid: z.number(), at: z.string() });
export type UploadEntry = z.infer<typeof Entry>;


export class UploadJournal {
  constructor(
    private readonly dir: string,
    private readonly repositoryId: string,
  ) {}

  private file(uploadId: string): string {
    return path.join(this.dir, `${createHash('sha256').update(uploadId).digest('hex').slice(0, 32)}.json`);
  }

  async started(bucket: string, key: string, uploadId: string): Promise<void> {
    const entry: UploadEntry = { repositoryId: this.repositoryId, bucket, key, uploadId, instance: containerInstance(), pid: process.pid, at: new Date().toISOString() };
    await writeFileAtomic(this.file(uploadId), JSON.stringify(entry) + '\n', 0o600);
  }

  async ended(uploadId: string): Promise<void> {
    await fs.rm(this.file(uploadId), { force: true });
  }

  /** This repository's uploads whose writer is gone. */
  async orphans(): Promise<UploadEntry[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const here = containerInstance();
    const out: UploadEntry[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      const e = await readJsonFile(path.join(this.dir, n), Entry).catch(() => undefined);
      if (e && e.repositoryId === this.repositoryId && (e.instance !== here || !pidAlive(e.pid))) out.push(e);
    }
    return out;
  }
}
