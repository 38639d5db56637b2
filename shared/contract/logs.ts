import { z } from 'zod';
import { stream } from './define.js';

export const LogLine = z.object({
  /** RFC 3339 timestamp from the engine. */
  ts: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  line: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export const logsContract = {
  /** Follow a container's output. Items arrive batched; unsubscribe ends the engine stream. */
  follow: stream(
    z.object({
      hostId: z.string().min(1).max(128),
      containerId: z.string().min(1).max(128),
      /** How many past lines to send first. */
      tail: z.number().int().min(0).max(100_000).default(200),
    }),
    LogLine,
  ),
} as const;
