/**
 * Verify records in a repository: `verify/<snapshot-id>/<UTC time>.json`, written by restore/verify.ts.
 * The one reader of them — the timeline's summaries, retention ("the newest verified snapshot is
 * never deleted") and a plan's newest verified snapshot all ask here.
 */
import { z } from 'zod';
import { readJsonObject, type RepositoryBackend } from '../repository/index.js';

export const VERIFY_PREFIX = 'verify/';
export const VerifyRecord = z.object({ ok: z.boolean(), at: z.string(), hostName: z.string().default(''), error: z.string().optional() }).passthrough();

/** The newest record key of each snapshot `accept` lets through — one listing of verify/ (there are few records). */
export async function newestVerifyKeys(backend: RepositoryBackend, accept: (snapshotId: string) => boolean, signal?: AbortSignal): Promise<Map<string, string>> {
  const newest = new Map<string, string>();
  for await (const o of backend.list(VERIFY_PREFIX, signal ? { signal } : {})) {
    const m = /^verify\/([^/]+)\/[^/]+\.json$/.exec(o.key);
    if (!m || !accept(m[1]!)) continue;
    const cur = newest.get(m[1]!);
    // Record names are UTC timestamps: the greatest key is the newest.
    if (!cur || o.key > cur) newest.set(m[1]!, o.key);
  }
  return newest;
}

/** Whether a record says the verify passed; an unreadable one proves nothing. */
export async function verifyPassed(backend: RepositoryBackend, key: string, signal?: AbortSignal): Promise<boolean> {
  return readJsonObject(backend, key, VerifyRecord, signal ? { signal } : {}).then(
    (r) => r.ok,
    () => false,
  );
}
