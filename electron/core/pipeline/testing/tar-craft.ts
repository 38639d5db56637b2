/**
 * Crafting tar archives for the guard's tests: with tar-stream's pack for ordinary entries, and
 * by hand for what no well-behaved packer writes (data after the end marker, links with data,
 * odd type flags, broken checksums).
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Header } from 'tar-stream';
import { TarGuard, type TarGuardOptions } from '../tar-guard.js';

export type Spec = Partial<Header> & { name: string; content?: string | Buffer };

export async function packTar(entries: Spec[]): Promise<Buffer> {
  const pack = tar.pack();
  const out: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (d: unknown) => out.push(d as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const body = content === undefined ? undefined : Buffer.isBuffer(content) ? content : Buffer.from(content);
      const h = { mtime: new Date(1_700_000_000_000), mode: header.type === 'directory' ? 0o755 : 0o644, ...header };
      if (body) pack.entry(h, body, (e) => (e ? reject(e) : resolve()));
      else pack.entry(h, (e) => (e ? reject(e) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(out);
}

export interface RawHeader {
  name: string;
  type?: string;
  size?: number;
  linkname?: string;
  magic?: 'ustar' | 'gnu' | 'v7';
  checksumDelta?: number;
  /** Bytes to set after encoding, e.g. {482: 1} for a GNU sparse extension flag. */
  patch?: Record<number, number>;
}

export function rawHeader(h: RawHeader): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name, 0, 100, 'utf8');
  b.write('0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write((h.size ?? 0).toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  b.write('14000000000\0', 136, 'latin1');
  b.write(h.type ?? '0', 156, 'latin1');
  if (h.linkname) b.write(h.linkname, 157, 100, 'utf8');
  if (h.magic === 'gnu') b.write('ustar  \0', 257, 'latin1');
  else if (h.magic !== 'v7') b.write('ustar\x0000', 257, 'latin1');
  for (const [at, v] of Object.entries(h.patch ?? {})) b[Number(at)] = v;
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write((sum + (h.checksumDelta ?? 0)).toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}

export function paxData(records: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    out += `${len}${body}`;
  }
  return Buffer.from(out);
}

export function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

export const END = Buffer.alloc(1024);

/** Runs `archive` through a guard in chunks of `chunk` bytes; returns what came out, and the error. */
export async function guard(archive: Buffer, opts: TarGuardOptions = {}, chunk = 4096) {
  const g = new TarGuard(opts);
  const out: Buffer[] = [];
  const lines: string[] = [];
  g.index?.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      out.push(c);
      cb();
    },
  });
  async function* chunks() {
    for (let i = 0; i < archive.length; i += chunk) yield archive.subarray(i, i + chunk);
  }
  const error = await pipeline(chunks, g, sink).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { output: Buffer.concat(out), error, summary: g.summary, index: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
