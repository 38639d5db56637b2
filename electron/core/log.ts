/**
 * A tiny leveled logger for core code. Everything goes to stderr so stdout stays free for the CLI's
 * output. Anything that looks like a secret is redacted before it is written: passphrases and key
 * material must never reach a log, even by accident (an error object holding a config, say).
 */
import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Object keys whose values are never printed. */
const SECRET_KEY = /pass(phrase|word)?|secret|token|private_?key|privatekey|credential/i;
/** PEM / OpenSSH private key blocks that might hide inside a string. */
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PRIVATE_KEY_BLOCK, '[redacted private key]');
  if (value instanceof Error) return redact(value.message, depth);
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 4) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

function envLevel(): LogLevel {
  const raw = process.env.HINDSIGHT_LOG_LEVEL?.toLowerCase();
  if (raw && raw in ORDER) return raw as LogLevel;
  // Tests stay quiet unless asked; the app logs warnings and up.
  return process.env.VITEST ? 'silent' : 'warn';
}

export interface Logger {
  debug(msg: string, data?: unknown): void;
  info(msg: string, data?: unknown): void;
  warn(msg: string, data?: unknown): void;
  error(msg: string, data?: unknown): void;
}

/** The desktop app's log file (logToFile): every line of info and up also goes there. */
let file: { path: string; stream: fs.WriteStream } | undefined;
const ROTATE_BYTES = 5 * 1024 * 1024;

/**
 * Also writes every log line (info and up, redacted like the rest) to `logPath` — the desktop app
 * calls it with the platform's log folder, so that "see the backend log" names a file that exists.
 * A file over 5 MiB is moved to `<name>.1` first (one old file kept).
 */
export function logToFile(logPath: string): void {
  fs.mkdirSync(path.dirname(logPath), { recursive: true });
  try {
    if (fs.statSync(logPath).size > ROTATE_BYTES) fs.renameSync(logPath, `${logPath}.1`);
  } catch {
    // no file yet
  }
  file?.stream.end();
  const stream = fs.createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  // A full disk must not take the app down with it: the log is best effort.
  stream.on('error', () => undefined);
  file = { path: logPath, stream };
  stream.write(`${new Date().toISOString()} INFO [log] started, pid ${process.pid}\n`);
}

/** Where the log lines are kept, in words for an error's detail. */
export function logLocation(): string {
  return file ? file.path : 'the backend log (its standard error output)';
}

export function createLogger(scope: string, level: LogLevel = envLevel()): Logger {
  const write = (at: Exclude<LogLevel, 'silent'>, msg: string, data?: unknown): void => {
    const toConsole = ORDER[at] >= ORDER[level];
    const toFile = file !== undefined && ORDER[at] >= ORDER.info;
    if (!toConsole && !toFile) return;
    const line = `${new Date().toISOString()} ${at.toUpperCase()} [${scope}] ${redact(msg) as string}`;
    const extra = data === undefined ? '' : ` ${JSON.stringify(redact(data))}`;
    if (toConsole) process.stderr.write(line + extra + '\n');
    if (toFile) file!.stream.write(line + extra + '\n');
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
