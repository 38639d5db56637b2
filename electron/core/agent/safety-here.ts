/**
 * Agent side of safety copies kept on the host for databases and directories (safety-requests.ts):
 * the same copy and put-back the console makes for itself (restore/data-moves.ts), run here on the
 * host's own engine, into this agent's state volume. The dump never crosses the SSH tunnel.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';
import { putBack, safetyCopyOf } from '../restore/data-moves.js';
import type { JournalTarget } from '../restore/journal.js';
import { agentEngine } from './agent-pipes.js';
import type { AgentDiscardRequest, AgentPutBackRequest, AgentSafetyCopyRequest, AgentSafetyCopyResult } from './safety-requests.js';

/** This agent's folder of one operation's copies (names checked by the request schemas). */
export const agentSafetyDir = (stateDir: string, operation: string) => path.join(stateDir, 'safety', operation);

function journalTarget(t: z.output<typeof AgentSafetyCopyRequest>['target'], extra: Partial<JournalTarget> = {}): JournalTarget {
  return { source: t.source, kind: t.kind, target: t.target, ...(t.path ? { path: t.path } : {}), created: false, users: [], touched: false, ...extra };
}

export async function safetyCopyHere(stateDir: string, req: z.output<typeof AgentSafetyCopyRequest>, signal: AbortSignal): Promise<AgentSafetyCopyResult> {
  const engine = agentEngine('this host');
  try {
    const t = journalTarget(req.target);
    const file = await safetyCopyOf(engine, t, agentSafetyDir(stateDir, req.operation), signal);
    return {
      ...(file ? { file: path.basename(file), bytes: (await fsp.stat(file)).size } : {}),
      created: t.created,
      ...(t.databasesBefore ? { databasesBefore: t.databasesBefore } : {}),
    };
  } finally {
    engine.dispose();
  }
}

export async function putBackHere(stateDir: string, req: z.output<typeof AgentPutBackRequest>): Promise<{ action: string }> {
  const file = path.join(agentSafetyDir(stateDir, req.operation), req.file);
  const exists = await fsp.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) throw new RpcError('NOT_FOUND', `The safety copy ${req.file} of ${req.target.target} is gone from the agent's state: it cannot be put back.`);
  const engine = agentEngine('this host');
  try {
    const t = { ...journalTarget(req.target, req.databasesBefore ? { databasesBefore: req.databasesBefore } : {}), safetyCopy: file };
    return { action: await putBack(engine, t) };
  } finally {
    engine.dispose();
  }
}

export async function discardHere(stateDir: string, req: z.output<typeof AgentDiscardRequest>): Promise<{ removed: string[] }> {
  const dir = agentSafetyDir(stateDir, req.operation);
  const removed = await fsp.readdir(dir).catch(() => [] as string[]);
  await fsp.rm(dir, { recursive: true, force: true });
  return { removed };
}
