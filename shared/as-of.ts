/**
 * "As of <date>": what a person types (an ISO date, or natural language — "1 hour ago",
 * "yesterday 18:00", "last friday") turned into one instant. Pure: "now" and the time zone are
 * injected, so the same text gives the same instant in tests, in the CLI and in the app.
 *
 * Rules (documented for users in the README):
 * - ISO 8601 with an offset or "Z" is that instant. Anything else — an ISO date or date-time
 *   without offset, "yesterday 18:00" — is wall-clock time in `timeZone` (an IANA name, default the
 *   machine's zone). The zone's offset is the one in force at the instant meant (DST-correct: the
 *   text is read with the offset at "now", then again with the offset at the result if it differs).
 * - A day without a time of day ("yesterday", "last friday", "2026-11-20") means the END of that
 *   day (23:59:59.999 local): "as of yesterday" is the state yesterday evening, so a backup taken
 *   during that day counts. Durations ("1 hour ago", "3 days ago") are exact.
 * - Never later than `now`: "today" is now. (For the start of a range, `dayEdge: 'start'` makes a
 *   day mean its first instant instead.)
 * - The whole text must be a date (a leading "as of" is allowed); "friday-ish please" is refused
 *   with INVALID_INPUT rather than half-read.
 */
import * as chrono from 'chrono-node';
import { RpcError } from './contract/errors.js';

export interface ParseAsOfOptions {
  now: Date;
  /** IANA zone ("Europe/Paris", "UTC"); default the machine's own zone. */
  timeZone?: string;
  /** What a day without a time of day means: its end (as-of, the end of a range) or its start (the start of a range). */
  dayEdge?: 'end' | 'start';
}

export interface ParsedAsOf {
  at: Date;
  /** The zone the text was read in. */
  timeZone: string;
  /** "last friday → 2026-11-20T22:59:59.999Z (end of that day, Europe/Paris)" */
  interpretation: string;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The zone's offset from UTC at `at`, in minutes (east positive: Paris in winter is +60). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new RpcError('INVALID_INPUT', `"${timeZone}" is not a time zone (use an IANA name such as "Europe/Paris" or "UTC").`);
  }
  const parts: Record<string, number> = {};
  for (const p of dtf.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

function invalid(text: string): RpcError {
  return new RpcError(
    'INVALID_INPUT',
    `"${text}" is not a date Hindsight understands. Try an ISO date ("2026-11-20", "2026-11-20T18:00:00Z") or words like "1 hour ago", "yesterday 18:00", "last friday".`,
  );
}

function readWith(text: string, now: Date, offset: number): chrono.ParsedResult | undefined {
  const results = chrono.parse(text, { instant: now, timezone: offset }, { forwardDate: false });
  const r = results[0];
  // The whole text must have been read (punctuation and spacing aside).
  if (!r || results.length !== 1 || r.index !== 0 || r.text.trim().toLowerCase() !== text.toLowerCase()) return undefined;
  return r;
}

export function parseAsOf(input: string, opts: ParseAsOfOptions): ParsedAsOf {
  const timeZone = opts.timeZone ?? defaultTimeZone();
  const now = opts.now;
  const text = input
    .trim()
    .replace(/^as\s+of\s+/i, '')
    .replace(/\s+/g, ' ');
  if (!text) throw invalid(input);
  const nowOffset = zoneOffsetMinutes(timeZone, now);

  if (ISO_WITH_OFFSET.test(text)) {
    const t = Date.parse(text.replace(' ', 'T'));
    if (Number.isNaN(t)) throw invalid(input);
    return clampToNow(new Date(t), now, timeZone, `${text} → ${new Date(t).toISOString()}`);
  }

  let parsed = readWith(text, now, nowOffset);
  if (!parsed) throw invalid(input);
  let offset = nowOffset;
  // DST: read again with the offset in force at the instant meant.
  const atOffset = zoneOffsetMinutes(timeZone, parsed.start.date());
  if (atOffset !== nowOffset) {
    const again = readWith(text, now, atOffset);
    if (again) {
      parsed = again;
      offset = atOffset;
    }
  }
  const start = parsed.start;
  let at = start.date();
  let how = '';
  const isDuration = /\bago\b|\bbefore\b/i.test(text);
  if (!start.isCertain('hour') && !isDuration) {
    // A day without a time: the end of that day, local (or its start, for the start of a range).
    const local = new Date(at.getTime() + offset * 60_000);
    const y = local.getUTCFullYear();
    const m = local.getUTCMonth();
    const d = local.getUTCDate();
    const atStart = opts.dayEdge === 'start';
    at = new Date((atStart ? Date.UTC(y, m, d) : Date.UTC(y, m, d, 23, 59, 59, 999)) - offset * 60_000);
    how = atStart ? ', start of that day' : ', end of that day';
  }
  return clampToNow(at, now, timeZone, `${text} → ${at.toISOString()} (${timeZone}${how})`);
}

function clampToNow(at: Date, now: Date, timeZone: string, interpretation: string): ParsedAsOf {
  if (Number.isNaN(at.getTime())) throw new RpcError('INVALID_INPUT', `${interpretation}: not a valid date.`);
  if (at.getTime() > now.getTime()) return { at: new Date(now.getTime()), timeZone, interpretation: `${interpretation}, which is later than now: now` };
  return { at, timeZone, interpretation };
}
