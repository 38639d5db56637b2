/**
 * What the agent card says of an installed agent, as pure functions of its status (tested in
 * agentState.test.ts): the state's words, and whether the card should ask again soon.
 */
import type { AgentStatus } from '../../shared/contract/index.js';

/** "running" only when the container runs and its scheduler has said it runs. */
export function agentStateWords(s: AgentStatus): { text: string; ok: boolean } {
  if (s.state !== 'running') return { text: s.state ?? 'not installed', ok: false };
  return s.report?.daemon.alive ? { text: 'running', ok: true } : { text: 'scheduler not running', ok: false };
}

/**
 * A running container that answered but whose scheduler has not said it runs yet: just started,
 * it first clears what its last run left in the repositories. The card asks again until it has.
 * Not while an install or removal is under way, nor when the agent did not answer (that is a
 * problem to show, with its Repair button).
 */
export function schedulerPending(s: AgentStatus | null | undefined, busy: boolean): boolean {
  return !!s && s.installed && s.state === 'running' && !s.problem && !!s.report && !s.report.daemon.alive && !busy;
}
