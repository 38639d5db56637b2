/**
 * Safety copies of databases and directories kept on the target host by its agent (issue 9: "safety
 * copy (kept on the host)"; the agent's side is agent/safety-here.ts). A database's copy is a dump,
 * which needs a process on the host to receive it: the agent writes it into its state volume, so a
 * 750 GiB database's dump neither crosses the SSH tunnel nor needs room on the person's laptop.
 *
 * The journal records such a copy as `agent:<operation>/<file>`; a rollback — in this process or
 * after a crash — asks the agent to put it back (the same load, and the same drop of databases the
 * failed restore created, as for a copy on the console), and the copies go with the operation's
 * other host copies (safety-sweep.ts). Only control traffic crosses the tunnel.
 */
import { RpcError } from '../../../shared/contract/errors.js';
import type { Engine } from '../docker/engine.js';
import { agentSendLines } from '../agent/agent-exec.js';
import { AgentDiscardResult, AgentPutBackResult, AgentSafetyCopyResult, type AgentPutBackRequest, type AgentSafetyCopyRequest } from '../agent/safety-requests.js';
import type { JournalTarget } from './journal.js';

const AGENT_COPY = 'agent:';

/** The operation and file a journal's safety copy names, when the host's agent keeps it. */
export function agentCopyOf(safetyCopy: string | undefined): { operation: string; file: string } | undefined {
  if (!safetyCopy?.startsWith(AGENT_COPY)) return undefined;
  const [operation, file, ...rest] = safetyCopy.slice(AGENT_COPY.length).split('/');
  return operation && file && !rest.length ? { operation, file } : undefined;
}

function targetOf(t: JournalTarget): AgentSafetyCopyRequest['target'] {
  if (t.kind === 'volume') throw new RpcError('INTERNAL', `A volume's safety copy is a volume on the host, not the agent's (${t.target}).`);
  return { source: t.source, kind: t.kind, target: t.target, ...(t.path ? { path: t.path } : {}) };
}

/**
 * The safety copy of one database or directory target, made and kept by the host's agent. Records
 * on `t` what the console's own copy would (safetyCopyOf): the databases held now, or that a
 * directory did not exist. Returns the copy's size; undefined when there was nothing to copy.
 */
export async function makeAgentSafetyCopy(engine: Engine, t: JournalTarget, opId: string, signal?: AbortSignal): Promise<{ bytes: number | undefined } | undefined> {
  const request: AgentSafetyCopyRequest = { operation: opId, target: targetOf(t) };
  const r = AgentSafetyCopyResult.parse(await agentSendLines(engine, ['safety-copy'], request, `Safety copy of ${t.target} by the agent on ${engine.name}`, undefined, signal));
  if (r.databasesBefore) t.databasesBefore = r.databasesBefore;
  if (r.created) t.created = true;
  if (!r.file) return undefined;
  t.safetyCopy = `${AGENT_COPY}${opId}/${r.file}`;
  return { bytes: r.bytes };
}

/**
 * A database's or directory's safety copy made by the host's agent and kept there; false when its
 * agent is older than this console (no such command): the console then makes the copy itself.
 */
export async function keepCopyOnAgent(engine: Engine, t: JournalTarget, opId: string, hostName: string, note: (m: string, l?: 'info' | 'warn' | 'error') => void, signal?: AbortSignal): Promise<boolean> {
  try {
    const kept = await makeAgentSafetyCopy(engine, t, opId, signal);
    if (kept) note(`Safety copy of ${t.target}: ${t.safetyCopy}, kept by the agent on ${hostName}${kept.bytes !== undefined ? ` (${kept.bytes} bytes)` : ''}`);
    else note(`${t.path} does not exist in ${t.target} yet: nothing to copy; a rollback removes it.`);
    return true;
  } catch (e) {
    if (!/unknown command/i.test(e instanceof Error ? e.message : String(e))) throw e;
    note(`The agent on ${hostName} cannot keep safety copies of databases or directories (upgrade it): the copy of ${t.target} is kept on this computer.`, 'warn');
    return false;
  }
}

/** Rollback of one target from a copy its host's agent keeps; says what was done. Never tied to a signal. */
export async function putBackAgentCopy(engine: Engine, t: JournalTarget): Promise<string> {
  const copy = agentCopyOf(t.safetyCopy);
  if (!copy) throw new RpcError('INTERNAL', `${t.target}: the journal's safety copy is not one the agent keeps.`);
  const request: AgentPutBackRequest = { ...copy, target: targetOf(t), ...(t.databasesBefore ? { databasesBefore: t.databasesBefore } : {}) };
  const r = AgentPutBackResult.parse(await agentSendLines(engine, ['put-back'], request, `Putting ${t.target} back through the agent on ${engine.name}`));
  return `${r.action} (kept by the agent on ${engine.name})`;
}

/** Removes the copies the host's agent keeps for one operation; the files removed. */
export async function removeAgentCopies(engine: Engine, opId: string): Promise<string[]> {
  const r = AgentDiscardResult.parse(await agentSendLines(engine, ['discard-safety'], { operation: opId }, `Removing the safety copies of ${opId} on ${engine.name}`));
  return r.removed;
}
