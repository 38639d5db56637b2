/**
 * Host keys a check was shown but refused because they were unknown. `hosts.acceptHostKey` may
 * only pin a key from here, and only when the fingerprint the user saw is the one the server
 * actually presented — the renderer cannot make the backend trust an arbitrary key.
 */
import { fingerprintOf } from './fingerprint.js';

export interface SeenHostKey {
  hostPattern: string;
  keyType: string;
  key: Buffer;
  fingerprint: string;
  seenAt: number;
}

/** A key shown to the user long ago should be looked at again, not accepted blindly. */
const TTL_MS = 30 * 60_000;

export class PendingHostKeys {
  private readonly seen = new Map<string, SeenHostKey>();

  constructor(private readonly now: () => number = Date.now) {}

  remember(hostPattern: string, keyType: string, key: Buffer): SeenHostKey {
    const entry = { hostPattern, keyType, key, fingerprint: fingerprintOf(key), seenAt: this.now() };
    this.seen.set(hostPattern, entry);
    return entry;
  }

  /** Removes and returns the pending key if it matches the fingerprint, else undefined. */
  take(hostPattern: string, fingerprint: string): SeenHostKey | undefined {
    const entry = this.seen.get(hostPattern);
    if (!entry || this.now() - entry.seenAt > TTL_MS) {
      this.seen.delete(hostPattern);
      return undefined;
    }
    if (entry.fingerprint !== fingerprint.trim()) return undefined;
    this.seen.delete(hostPattern);
    return entry;
  }
}
