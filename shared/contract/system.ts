import { z } from 'zod';
import { Empty, invoke } from './define.js';

export const SystemInfo = z.object({
  appVersion: z.string(),
  contractVersion: z.number(),
  mode: z.enum(['electron', 'web', 'cli', 'test']),
  configDir: z.string(),
  platform: z.string(),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export const systemContract = {
  info: invoke(Empty, SystemInfo),
} as const;
