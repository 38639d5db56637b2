/**
 * A failure that belongs to one step of reaching a Docker engine (lookup → tcp → hostkey → auth →
 * socket → docker). It is an RpcError, so it can be thrown straight through any handler, and it
 * carries what `hosts.check` needs to say exactly which step failed.
 */
import { RpcError, type ErrorCode } from '../../shared/contract/errors.js';
import type { CheckResult, CheckStep, HostKeyInfo } from '../../shared/contract/hosts.js';

export type PresentedHostKey = HostKeyInfo & { status: 'unknown' | 'changed' };

export class StepError extends RpcError {
  constructor(
    readonly step: CheckStep,
    code: ErrorCode,
    message: string,
    detail?: string,
    readonly hostKey?: PresentedHostKey,
  ) {
    super(code, message, detail);
  }

  static isStep(e: unknown): e is StepError {
    return e instanceof StepError;
  }

  toCheckResult(): Extract<CheckResult, { ok: false }> {
    return {
      ok: false,
      step: this.step,
      code: this.code,
      message: this.message,
      ...(this.hostKey ? { hostKey: this.hostKey } : {}),
    };
  }
}

/** The technical detail of an unknown error, kept short; callers pass only non-secret errors. */
export function detailOf(e: unknown): string | undefined {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return e === undefined ? undefined : String(e);
}
