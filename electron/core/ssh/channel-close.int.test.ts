/**
 * A channel we close mid-stream sends no CHANNEL_WINDOW_ADJUST after its CHANNEL_CLOSE (see
 * channel-close.ts: a late adjust can land on the next channel sshd numbers the same and corrupt
 * its data). Real sshd and dockerd on production; the two protocol writes of this connection are
 * recorded (wrapped, still sent) to see their order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, ClientChannel } from 'ssh2';
import { configFiles } from '../config/paths.js';
import { readLab, sshConnectionOf, tempConfigDir } from '../testing/lab.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { PendingHostKeys } from './pending-host-keys.js';
import { SshTunnel } from './tunnel.js';

interface Protocol {
  channelClose(id: number): void;
  channelWindowAdjust(id: number, amount: number): void;
}

let tunnel: SshTunnel;
let cleanup: () => Promise<void>;
const sent: Array<{ what: 'close' | 'adjust'; id: number }> = [];
/** Channels we closed whose close the server has not confirmed yet, and adjusts sent for them. */
const closing = new Set<ClientChannel>();
const stray: number[] = [];
const stateOf = (ch: ClientChannel) => (ch as unknown as { outgoing: { id: number; state: string } }).outgoing;
const lab = readLab();

beforeAll(async () => {
  const cfg = await tempConfigDir({ pinned: true });
  cleanup = cfg.cleanup;
  tunnel = new SshTunnel(
    { name: 'production', target: sshConnectionOf(lab.machines.production), passphrase: async () => undefined },
    { knownHosts: new KnownHostsStore(configFiles(cfg.dir).knownHosts, null), pendingKeys: new PendingHostKeys(), agentSocket: undefined },
  );
  const client = (await tunnel.connect()) as Client & { _protocol: Protocol };
  const proto = client._protocol;
  const close = proto.channelClose.bind(proto);
  const adjust = proto.channelWindowAdjust.bind(proto);
  proto.channelClose = (id) => {
    sent.push({ what: 'close', id });
    close(id);
  };
  proto.channelWindowAdjust = (id, amount) => {
    sent.push({ what: 'adjust', id });
    for (const ch of closing) if (stateOf(ch).id === id && stateOf(ch).state !== 'closed') stray.push(id);
    adjust(id, amount);
  };
});

afterAll(async () => {
  tunnel?.close();
  await cleanup?.();
});

/** Opens a channel to production's engine and asks for an image as a tar (~100 MiB): a long response. */
async function bigResponse(): Promise<ClientChannel> {
  const ch = await tunnel.openStreamLocal(lab.machines.production.remoteSocket);
  ch.write('GET /images/hindsight-lab%2Fpostgres:15/get HTTP/1.1\r\nHost: docker\r\n\r\n');
  return ch;
}

describe('closing an ssh2 channel mid-stream', () => {
  it('sends no window adjust after the close, while data still in flight is taken', async () => {
    const ch = await bigResponse();
    const id = (ch as unknown as { outgoing: { id: number } }).outgoing.id;
    let received = 0;
    let closedAt = -1;
    ch.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // Mid-stream, with the server's window open: what an abort does (destroy, keep draining).
      if (closedAt < 0 && received > 8 << 20) {
        closedAt = sent.length;
        closing.add(ch);
        ch.destroy();
      }
    });
    await new Promise<void>((resolve, reject) => {
      ch.once('close', () => resolve());
      setTimeout(() => reject(new Error(`no channel close from the server (received ${received} bytes)`)), 30_000);
    });
    const before = sent.slice(0, closedAt).filter((s) => s.id === id);
    const after = sent.slice(closedAt).filter((s) => s.id === id);
    // The recording works: the stream needed window before it was closed.
    expect(before.filter((s) => s.what === 'adjust').length).toBeGreaterThan(0);
    expect(after).toEqual([{ what: 'close', id }]);
    expect(stray).toEqual([]);
  });

  it('several cut streams, each followed by a request on the same connection: no stray adjust, whole responses', async () => {
    // With stray adjusts, sshd could hand a closed channel's number (and the window granted for
    // it) to the next channel, and ssh2 would drop its data beyond ssh2's own window.
    for (let round = 0; round < 3; round++) {
      const cut = await bigResponse();
      await new Promise<void>((resolve) => {
        let n = 0;
        cut.on('data', (chunk: Buffer) => {
          n += chunk.length;
          if (n > 4 << 20 && n - chunk.length <= 4 << 20) {
            closing.add(cut);
            cut.destroy();
          }
        });
        cut.once('close', () => resolve());
      });
      const ch = await tunnel.openStreamLocal(lab.machines.production.remoteSocket);
      ch.write('GET /images/hindsight-lab%2Fbusybox:latest/json HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
      let text = '';
      ch.setEncoding('utf8');
      ch.on('data', (s: string) => (text += s));
      // dockerd closes after the response (Connection: close): the server's EOF, then ours.
      await new Promise<void>((resolve) => ch.once('end', () => resolve()));
      ch.end();
      expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ RepoTags: ['hindsight-lab/busybox:latest'] });
    }
    expect(stray).toEqual([]);
  });
});
