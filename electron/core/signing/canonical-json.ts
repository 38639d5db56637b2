/**
 * The canonical bytes of a JSON value, for signatures: object keys sorted (by UTF-16 code units,
 * as JavaScript sorts strings), no whitespace, strings and numbers as JSON.stringify writes them,
 * members whose value is undefined left out (as JSON has no undefined). Two writers that build the
 * same manifest in a different key order sign the same bytes; any change to a value changes them.
 * (RFC 8785 differs only for numbers beyond 2^53 and non-integers, which manifests do not hold.)
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
