/**
 * Each operation's own log, kept next to its journal as <config dir>/operations/<id>.log.jsonl —
 * one JSON line per log line, numbered (seq) — so the operations view shows it after the app
 * restarted. Lines are appended as they happen (batched: one append per turn of the event loop),
 * and bounded: past OPERATION_LOG_MAX_LINES one last line says the rest was not kept.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { OperationLogLine } from '../../../shared/contract/operations.js';
import { createLogger } from '../log.js';

const log = createLogger('operations');

export const OPERATION_LOG_MAX_LINES = 20_000;

export function operationLogPath(configDir: string, id: string): string {
  return path.join(configDir, 'operations', `${id}.log.jsonl`);
}

const SAFE_ID = /^[A-Za-z0-9._-]+$/;

export class OperationLogWriter {
  private pending: Array<Omit<OperationLogLine, 'seq'>> = [];
  private flushing: Promise<void>;
  private scheduled = false;
  private seq = 0;
  private full = false;

  constructor(
    private readonly file: string,
    private readonly maxLines = OPERATION_LOG_MAX_LINES,
  ) {
    // A rollback of an interrupted operation continues the log it left: numbering goes on from there.
    this.flushing = lastSeq(file).then((last) => {
      this.seq = last + 1;
    });
  }

  append(level: OperationLogLine['level'], message: string, ts = new Date().toISOString()): void {
    if (this.full) return;
    this.pending.push({ ts, level, message });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  /** Writes what is pending; resolves once everything appended so far is on disk. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const lines: OperationLogLine[] = [];
      for (const l of this.pending.splice(0)) {
        if (this.full) break;
        if (this.seq >= this.maxLines - 1) {
          this.full = true;
          lines.push({ seq: this.seq++, ts: l.ts, level: 'warn', message: `The log of this operation reached ${this.maxLines} lines; later lines were not kept.` });
        } else lines.push({ seq: this.seq++, ...l });
      }
      if (!lines.length) return;
      try {
        await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
        await fs.appendFile(this.file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n', { mode: 0o600 });
      } catch (e) {
        // A log that cannot be written must not fail the operation it describes.
        log.warn(`could not append to ${this.file}`, e instanceof Error ? e.message : e);
      }
    });
    return this.flushing;
  }
}

async function lastSeq(file: string): Promise<number> {
  try {
    const text = await fs.readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const v = JSON.parse(lines[i]!) as { seq?: unknown };
        if (typeof v.seq === 'number') return v.seq;
      } catch {
        // a line cut by a crash: look further up
      }
    }
  } catch {
    // no log yet
  }
  return -1;
}

/** Lines after `afterSeq`, at most `limit`, oldest first; [] when the operation left no log. */
export async function readOperationLog(configDir: string, id: string, afterSeq = -1, limit = 5_000): Promise<OperationLogLine[]> {
  if (!SAFE_ID.test(id)) return [];
  let text: string;
  try {
    text = await fs.readFile(operationLogPath(configDir, id), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: OperationLogLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let parsed;
    try {
      parsed = OperationLogLine.safeParse(JSON.parse(raw));
    } catch {
      continue; // a line cut by a crash
    }
    if (!parsed.success || parsed.data.seq <= afterSeq) continue;
    out.push(parsed.data);
    if (out.length >= limit) break;
  }
  return out;
}
