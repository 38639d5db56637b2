/**
 * The saved backup plans, in `plans.json` next to hosts.json: {"version":1,"plans":[Plan…]},
 * written atomically and validated on read. A plan's snapshots are filed under its name as the
 * backup set, so retention and staleness find exactly them.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import { Plan, PlanInput } from '../../../shared/contract/plans.js';
import { readJsonFile, writeFileAtomic } from '../config/atomic-file.js';
import { Mutex } from '../config/mutex.js';
import { checkSchedule } from './schedule.js';

const PlansFile = z.object({ version: z.literal(1), plans: z.array(Plan) });
type PlansFile = z.infer<typeof PlansFile>;

export class PlansStore {
  private readonly mutex = new Mutex();
  readonly file: string;

  constructor(configDir: string) {
    this.file = path.join(configDir, 'plans.json');
  }

  private async load(): Promise<PlansFile> {
    return (await readJsonFile(this.file, PlansFile)) ?? { version: 1, plans: [] };
  }

  private async save(data: PlansFile): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
  }

  async list(): Promise<Plan[]> {
    return (await this.load()).plans;
  }

  /** By id, or else by name (the CLI passes names). */
  async get(idOrName: string): Promise<Plan> {
    const plans = await this.list();
    const p = plans.find((x) => x.id === idOrName) ?? plans.find((x) => x.name === idOrName);
    if (!p) throw new RpcError('NOT_FOUND', `There is no plan "${idOrName}" (known: ${plans.map((x) => x.name).join(', ') || 'none'}).`);
    return p;
  }

  async add(raw: PlanInput, now = new Date()): Promise<Plan> {
    const input = PlanInput.parse(raw);
    checkSchedule(input.schedule);
    if (input.drill) checkSchedule({ cron: input.drill.cron, timeZone: input.schedule.timeZone });
    return this.mutex.run(async () => {
      const data = await this.load();
      if (data.plans.some((p) => p.name === input.name)) throw new RpcError('CONFLICT', `A plan named "${input.name}" exists already.`);
      const plan: Plan = { ...input, id: randomUUID(), createdAt: now.toISOString(), paused: false };
      data.plans.push(plan);
      await this.save(data);
      return plan;
    });
  }

  async setPaused(idOrName: string, paused: boolean): Promise<Plan> {
    const { id } = await this.get(idOrName);
    return this.mutex.run(async () => {
      const data = await this.load();
      const p = data.plans.find((x) => x.id === id)!;
      p.paused = paused;
      await this.save(data);
      return p;
    });
  }

  async remove(idOrName: string): Promise<boolean> {
    const plans = await this.list();
    const p = plans.find((x) => x.id === idOrName) ?? plans.find((x) => x.name === idOrName);
    if (!p) return false;
    return this.mutex.run(async () => {
      const data = await this.load();
      data.plans = data.plans.filter((x) => x.id !== p.id);
      await this.save(data);
      return true;
    });
  }
}
