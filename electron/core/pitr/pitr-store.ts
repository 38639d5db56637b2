/**
 * The point-in-time jobs — which container's cluster is archived into which repository — in
 * `<config dir>/pitr.json`: the console's list, and the copy each agent gets with its plans.
 */
import path from 'node:path';
import { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import { PitrJob, type PitrRef } from '../../../shared/contract/pitr.js';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { Mutex } from '../config/mutex.js';

const PitrFile = z.object({ version: z.literal(1), jobs: z.array(PitrJob) });

const same = (a: PitrRef, b: PitrRef) => a.hostId === b.hostId && a.container === b.container && a.repositoryId === b.repositoryId;

export class PitrStore {
  private readonly mutex = new Mutex();
  readonly file: string;

  constructor(configDir: string) {
    this.file = path.join(configDir, 'pitr.json');
  }

  async list(): Promise<PitrJob[]> {
    return (await readJsonFile(this.file, PitrFile))?.jobs ?? [];
  }

  /** Adds the job, or updates its settings when it exists. */
  async upsert(ref: PitrRef, settings: { baseEveryDays: number; keepBases: number }, now = new Date()): Promise<PitrJob> {
    return this.mutex.run(async () => {
      const jobs = await this.list();
      const had = jobs.find((j) => same(j, ref));
      const job = PitrJob.parse({ ...ref, ...settings, enabledAt: had?.enabledAt ?? now.toISOString() });
      await this.replace([...jobs.filter((j) => !same(j, ref)), job]);
      return job;
    });
  }

  async remove(ref: PitrRef): Promise<PitrJob> {
    return this.mutex.run(async () => {
      const jobs = await this.list();
      const had = jobs.find((j) => same(j, ref));
      if (!had) throw new RpcError('NOT_FOUND', `Point-in-time recovery is not enabled for ${ref.container} on that host and repository.`);
      await this.replace(jobs.filter((j) => !same(j, ref)));
      return had;
    });
  }

  /** The whole list (an agent storing what the console pushed). */
  async replace(jobs: PitrJob[]): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, jobs }, null, 2) + '\n');
  }
}
