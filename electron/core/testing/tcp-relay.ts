import net from 'node:net';

/**
 * A TCP relay on loopback in front of a lab sshd, for the tests that drop or hang an SSH link
 * mid-stream: `cut()` closes every connection now, `cutAfter(n)` once n more client bytes went
 * through, `stallAfter(n)` stops forwarding (the sender blocks, as on a hung link).
 */
export class TcpRelay {
  server = net.createServer((client) => this.accept(client));
  sockets = new Set<net.Socket>();
  upBytes = 0;
  /** Bytes from the server to the client (what the console receives). */
  downBytes = 0;
  cutAt: number | undefined;
  cuts = 0;
  stallAt: number | undefined;
  stalled = false;
  private pairs = new Set<{ client: net.Socket; up: net.Socket }>();
  constructor(private readonly address: string, private readonly port: number) {}
  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
  }
  private accept(client: net.Socket) {
    const up = net.connect(this.port, this.address);
    for (const s of [client, up]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => this.sockets.delete(s));
    }
    const pair = { client, up };
    this.pairs.add(pair);
    client.on('close', () => this.pairs.delete(pair));
    client.on('data', (d: Buffer) => {
      this.upBytes += d.length;
      if (this.cutAt !== undefined && this.upBytes >= this.cutAt) this.cut();
      if (this.stallAt !== undefined && this.upBytes >= this.stallAt) this.stall();
    });
    up.on('data', (d: Buffer) => (this.downBytes += d.length));
    client.pipe(up);
    up.pipe(client);
  }
  cutAfter(bytes: number) {
    this.cutAt = this.upBytes + bytes;
  }
  /** Stops forwarding client bytes once `bytes` more went through: the sender blocks, as on a hung link. */
  stallAfter(bytes: number) {
    this.stallAt = this.upBytes + bytes;
  }
  private stall() {
    this.stallAt = undefined;
    this.stalled = true;
    for (const p of this.pairs) {
      p.client.unpipe(p.up);
      p.client.pause();
    }
  }
  cut() {
    this.cutAt = undefined;
    this.cuts++;
    for (const s of this.sockets) s.destroy();
  }
  close() {
    this.cut();
    this.server.close();
  }
}
