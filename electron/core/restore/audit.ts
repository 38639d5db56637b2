/**
 * The audit log: one JSON line per restore, verify and rollback in <config dir>/audit.jsonl (who —
 * the OS user —, what, from where, to where, result, times). Append-only; never rewritten.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditRecord } from '../../../shared/contract/operations.js';

export function auditPath(configDir: string): string {
  return path.join(configDir, 'audit.jsonl');
}

export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export async function appendAudit(configDir: string, record: AuditRecord): Promise<void> {
  await fs.mkdir(configDir, { recursive: true, mode: 0o700 });
  await fs.appendFile(auditPath(configDir), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/** Newest first; lines that do not parse are skipped; `text` filters case-insensitively on the whole line. */
export async function readAudit(configDir: string, opts: { text?: string | undefined; limit: number }): Promise<AuditRecord[]> {
  let text: string;
  try {
    text = await fs.readFile(auditPath(configDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const needle = opts.text?.toLowerCase();
  const out: AuditRecord[] = [];
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0 && out.length < opts.limit; i--) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    if (needle && !line.toLowerCase().includes(needle)) continue;
    try {
      const parsed = AuditRecord.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // a torn last line after a crash: skip it
    }
  }
  return out;
}
