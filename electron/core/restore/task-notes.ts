/**
 * A restore's words to its task: log lines, progress (with the journal step and the source it is
 * about), and an error's message. Shared by the run (runner.ts), its rollback (rollback.ts) and
 * the pre-flight (run-preflight.ts).
 */
import type { TaskContext } from '../../../shared/contract/types.js';
import type { JournalStep } from './journal.js';

export function say(ctx: TaskContext | undefined, message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
  ctx?.report({ type: 'log', level, message, ts: new Date().toISOString() });
}

export function progress(
  ctx: TaskContext | undefined,
  fraction: number | null,
  message: string,
  bytes?: { done: number; total: number },
  where?: { step: JournalStep; source?: string | undefined },
): void {
  ctx?.report({
    type: 'progress',
    fraction,
    message,
    ...(bytes ? { bytesDone: bytes.done, bytesTotal: bytes.total } : {}),
    ...(where ? { step: where.step, ...(where.source ? { source: where.source } : {}) } : {}),
  });
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
