/**
 * No CHANNEL_WINDOW_ADJUST after we closed a channel.
 *
 * ssh2 (1.17) keeps granting window on a channel after it sent CHANNEL_CLOSE for it: its
 * windowAdjust() only stops once the *server's* close has arrived (state "closed"), and data still
 * in flight — up to 2 MiB — or a paused stream being drained after an abort triggers more grants
 * while the channel is "closing". RFC 4254 §5.3: no message after CHANNEL_CLOSE. OpenSSH reuses
 * the lowest free channel number, so when the stray adjust reaches sshd after it has freed that
 * number and given it to the channel we opened next on the same connection (the next Docker
 * request, often a pooled keep-alive channel), sshd adds the window to the NEW channel. sshd then
 * sends more than ssh2 believes it granted, and ssh2 silently drops data arriving on a zero window
 * (client.js, CHANNEL_DATA): the next large response on that channel loses bytes — a tar stream
 * that fails, a request that hangs. sshd's log shows the harmless variant of the same stray
 * message: "Received window adjust for non-open channel N".
 *
 * So once we close a channel, its incoming window is set to Infinity: ssh2's adjust computes
 * MAX_WINDOW - window ≤ 0 and sends nothing, and data still in flight is accepted (never dropped
 * for lack of window) until the server's close arrives.
 */
import type { ClientChannel } from 'ssh2';

interface ChannelInternals {
  incoming?: { window?: number };
}

export function noWindowAfterClose<T extends ClientChannel>(channel: T): T {
  const close = channel.close.bind(channel) as (...args: unknown[]) => unknown;
  // An own property: ssh2's destroy() and its 'finish' handler call this.close() too.
  Object.defineProperty(channel, 'close', {
    value: (...args: unknown[]) => {
      const incoming = (channel as unknown as ChannelInternals).incoming;
      if (incoming && typeof incoming.window === 'number') incoming.window = Infinity;
      return close(...args);
    },
    configurable: true,
    writable: true,
  });
  return channel;
}
