/**
 * OpenSSH known_hosts: parsing and matching (pure; the files are handled by KnownHostsStore).
 *
 * Line format: `[marker] patterns keytype base64 [comment]`. Patterns are comma-separated host
 * names or `[host]:port` for a non-22 port, may use `*`/`?` wildcards and `!` negation, or be a
 * single hashed entry `|1|base64(salt)|base64(HMAC-SHA1(salt, host))` (HashKnownHosts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fingerprintOf, keyTypeOf } from './fingerprint.js';

export interface KnownHostEntry {
  marker: '@revoked' | '@cert-authority' | null;
  patterns: string;
  keyType: string;
  key: Buffer;
  /** 1-based line number, for messages that point the user at the right line. */
  line: number;
}

/** The name a host is recorded under: "addr" on port 22, "[addr]:port" otherwise. */
export function hostPatternFor(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    const [patterns, keyType, keyB64] = fields;
    // Lines we cannot understand are skipped, as OpenSSH does, rather than failing the whole file.
    if (!patterns || !keyType || !keyB64 || !/^[A-Za-z0-9+/]+=*$/.test(keyB64)) return;
    const key = Buffer.from(keyB64, 'base64');
    // A real key blob names its own type; anything else is not a key line.
    if (embeddedType(key) !== keyType) return;
    entries.push({ marker, patterns, keyType, key, line: i + 1 });
  });
  return entries;
}

function embeddedType(key: Buffer): string | undefined {
  try {
    return keyTypeOf(key);
  } catch {
    return undefined;
  }
}

/** Glob match of OpenSSH patterns: `*` any run, `?` one character; case-insensitive like host names. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$',
    'i',
  );
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Does an entry's pattern list cover `hostPattern` ("addr" or "[addr]:port")? */
export function entryMatches(entry: Pick<KnownHostEntry, 'patterns'>, hostPattern: string): boolean {
  if (entry.patterns.startsWith('|')) return hashedMatch(entry.patterns, hostPattern);
  let matched = false;
  for (const p of entry.patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), hostPattern)) return false; // a negated match vetoes the line
    } else if (globMatch(p, hostPattern)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'match' }
  | { status: 'unknown' }
  /** A different key of the same type is pinned (or this one is revoked): refuse. */
  | { status: 'changed'; line: number; knownFingerprint: string | null };

/**
 * Judges a presented key against entries. A key of another type than the pinned ones counts as
 * unknown (OpenSSH asks the user in that case too); the tunnel prefers pinned key types when it
 * negotiates, so this only happens when the server no longer offers the pinned type.
 */
export function judgeHostKey(entries: KnownHostEntry[], hostPattern: string, keyType: string, key: Buffer): HostKeyVerdict {
  const relevant = entries.filter((e) => e.marker !== '@cert-authority' && entryMatches(e, hostPattern));
  const revoked = relevant.find((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked) return { status: 'changed', line: revoked.line, knownFingerprint: null };
  const pinned = relevant.filter((e) => e.marker === null);
  if (pinned.some((e) => e.keyType === keyType && e.key.equals(key))) return { status: 'match' };
  const sameType = pinned.find((e) => e.keyType === keyType);
  if (sameType) return { status: 'changed', line: sameType.line, knownFingerprint: fingerprintOf(sameType.key) };
  return { status: 'unknown' };
}

/** One known_hosts line pinning a key, in the plain (unhashed) form. */
export function formatKnownHostsLine(hostPattern: string, keyType: string, key: Buffer): string {
  return `${hostPattern} ${keyType} ${key.toString('base64')}`;
}
