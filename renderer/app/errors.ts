/** What the UI needs of any failure: the contract's {code, message, detail} shape. */
export interface ErrorInfo {
  code: string;
  message: string;
  detail?: string;
}

/**
 * Normalises whatever a call threw. Backend failures arrive as RpcError ({code, message, detail});
 * anything else (a bug, a dropped socket) still becomes something the ErrorBanner can show.
 */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (typeof e === 'object' && e !== null && 'code' in e && 'message' in e) {
    const { code, message, detail } = e as { code: unknown; message: unknown; detail?: unknown };
    return { code: String(code), message: String(message), ...(typeof detail === 'string' && detail ? { detail } : {}) };
  }
  if (e instanceof Error) return { code: 'INTERNAL', message: e.message };
  return { code: 'INTERNAL', message: String(e) };
}

/** The "details" text of an ErrorBanner: code first, then the technical detail if any. */
export function errorDetail(e: ErrorInfo): string {
  return e.detail ? `${e.code}: ${e.message}\n\n${e.detail}` : `${e.code}: ${e.message}`;
}
