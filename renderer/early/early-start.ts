/**
 * The early start: a classic `async` script that index.html names before the app's bundle (built on
 * its own by vite.config.ts's earlyStart plugin, ~10 KB). While the bundle is fetched and compiled,
 * the page's main thread has nothing to do; this uses that time to open the backend connection and
 * to make the first Intl formatters (a renderer's first one loads ICU's data: 25–60 ms that otherwise
 * fell into React's first render). The bundle takes over the connection (api/early-start.ts); if
 * anything here fails, or the bundle runs first, the bundle connects by itself.
 *
 * Not done here, measured (bench/ui/renderer-ab.ts): asking for the timeline's snapshots too — the
 * backend's work on that answer then competed with the bundle's download and compile for the two
 * cores, and the bundle ran later by as much as the answer came sooner.
 */
import { openConnection } from '../api/client';
import type { EarlyStart } from '../api/early-start';
import { warmFormatters } from '../app/format';

try {
  // The bundle may have run first (a slow early script): then it has its own connection and left a mark.
  if (!window.hindsightEarlyStart) {
    const start: EarlyStart = { connection: null };
    const connection = openConnection((reason) => {
      start.closedReason = reason;
      start.onClose?.(reason);
    });
    connection.catch(() => undefined); // the bundle's getClient() reports it, or connects again
    start.connection = connection;
    window.hindsightEarlyStart = start;
  }
  // A task of its own: the connection's handshake goes out first.
  setTimeout(warmFormatters, 0);
} catch {
  // No early start: the bundle connects by itself.
}
