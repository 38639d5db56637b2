/**
 * The first two steps of reaching a host, done by hand rather than left to ssh2 so that a failure
 * names its step: name lookup (LOOKUP_FAILED) then a TCP connect with a bounded timeout
 * (TCP_FAILED). ssh2 then runs its handshake over the connected socket.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import { StepError, detailOf } from '../step-error.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 8_000;

const LOOKUP_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL', 'ENODATA']);

export async function lookupAddress(address: string, label: string): Promise<string> {
  if (net.isIP(address)) return address;
  try {
    return (await dns.lookup(address)).address;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why =
      code === 'EAI_AGAIN'
        ? 'the name server did not answer (temporary failure; check the network or DNS)'
        : LOOKUP_CODES.has(code)
          ? 'no such host name'
          : 'the lookup failed';
    throw new StepError('lookup', 'LOOKUP_FAILED', `${label}: cannot resolve "${address}": ${why}.`, detailOf(e));
  }
}

export function connectTcp(ip: string, port: number, label: string, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: ip, port });
    const fail = (e: StepError) => {
      sock.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new StepError('tcp', 'TCP_FAILED', `${label}: no answer from ${ip} port ${port} within ${timeoutMs / 1000} s (a firewall, or the machine is down).`, 'ETIMEDOUT')),
      timeoutMs,
    );
    sock.once('connect', () => {
      clearTimeout(timer);
      // SSH packets are small and interactive (a Docker API call is a few of them): without this,
      // Nagle's algorithm meeting delayed ACKs adds ~40 ms to every round trip.
      sock.setNoDelay(true);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        e.code === 'ECONNREFUSED'
          ? 'connection refused (nothing listens on that port — is sshd running, is the port right?)'
          : e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH'
            ? 'the machine cannot be reached from here (no route)'
            : e.code === 'ETIMEDOUT'
              ? 'the connection timed out'
              : 'the connection failed';
      fail(new StepError('tcp', 'TCP_FAILED', `${label}: cannot connect to ${ip} port ${port}: ${why}.`, detailOf(e)));
    });
  });
}
