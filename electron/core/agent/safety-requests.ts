/**
 * What a console asks of an agent about safety copies of databases and directories (issue 9: a
 * restore's safety copy is "kept on the host"). Shared by both ends: the console's side
 * (restore/agent-safety.ts) and the agent's (agent/safety-here.ts). Volumes' copies are volumes
 * on the host made without the agent's process (restore/host-safety.ts); a database's copy is a
 * dump, which needs a process on the host to receive it — the agent — and lands in its state
 * volume, `<state>/safety/<operation>/<source>.sql.zst`.
 *
 * The names are checked here, on the agent too: an operation id and a file are one path segment
 * each, so a request can only ever touch the agent's own safety folder.
 */
import { z } from 'zod';

/** One path segment: no separators, no dot-only names. */
const Segment = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'a name of letters, digits, "_", "." and "-"');

const Target = z.object({
  source: z.string().min(1).max(255),
  kind: z.enum(['postgres', 'mariadb', 'directory']),
  target: z.string().min(1).max(255),
  path: z.string().min(1).max(4096).optional(),
});

export const AgentSafetyCopyRequest = z.object({ operation: Segment, target: Target });
export type AgentSafetyCopyRequest = z.input<typeof AgentSafetyCopyRequest>;

export const AgentSafetyCopyResult = z.object({
  /** The copy's file in the operation's folder; absent when a directory did not exist yet (nothing to copy). */
  file: Segment.optional(),
  bytes: z.number().int().nonnegative().optional(),
  /** A directory that did not exist: a rollback removes it. */
  created: z.boolean(),
  /** Databases held before: a rollback drops any others. */
  databasesBefore: z.array(z.string()).optional(),
});
export type AgentSafetyCopyResult = z.infer<typeof AgentSafetyCopyResult>;

export const AgentPutBackRequest = z.object({
  operation: Segment,
  file: Segment,
  target: Target,
  databasesBefore: z.array(z.string()).optional(),
});
export type AgentPutBackRequest = z.input<typeof AgentPutBackRequest>;

export const AgentPutBackResult = z.object({ action: z.string() });

export const AgentDiscardRequest = z.object({ operation: Segment });
export const AgentDiscardResult = z.object({ removed: z.array(z.string()) });
