/** Decimal units, like `docker system df`, so figures match what people see in the terminal. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '—';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/**
 * One Intl formatter per set of options, made once: `toLocaleString(…, options)` builds a new one
 * on every call (a fraction of a millisecond each, 18 ms for the rows of one timeline screen).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
export function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(undefined, options)));
  return f;
}
/** What `Date#toLocaleString()` shows: date and time, numeric. */
export const DATE_TIME: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' };
let numbers: Intl.NumberFormat | undefined;
/** "10,000": the viewer's grouping, with one formatter. */
export const formatCount = (n: number) => (numbers ??= new Intl.NumberFormat()).format(n);

/**
 * A renderer's first Intl formatter loads ICU's data: 25–60 ms measured in a new tab. The early
 * start makes one of each kind while the page waits for its bundle (early/early-start.ts), so that
 * the bundle's own first ones are quick. (Handing the early start's date formatters to the bundle
 * as well measured no faster: bench/ui/renderer-ab.ts.)
 */
export function warmFormatters(): void {
  formatCount(1000);
  formatTime(0);
}

export function formatTime(iso: string | number): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dateFormat({ hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false }).format(d);
}

/** "12:03:04.217" — log timestamps need the milliseconds to order bursts. */
export function formatLogTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function pluralize(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
