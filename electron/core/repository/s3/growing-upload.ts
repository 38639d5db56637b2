/**
 * A multipart upload whose parts grow as the object does (issue 10 item 4), for objects whose
 * size is not known beforehand — a MongoDB dump, a stopped container's directory, a volume the
 * engine would not size within seconds — or so large that fixed parts would not fit in memory.
 *
 * Hand-written for a measured reason: lib-storage's Upload (used for every object whose size is
 * known and fits its parts, s3-backend.ts) cuts all parts of an object at one size chosen before
 * the first byte, and holds (queueSize + 1) of them in memory: with no size given, an object
 * stopped at 78 GiB (10,000 × 8 MiB); with a size given, a 5 TiB object held 3 × 656 MiB in RAM.
 * Here part n is `partSizeAt(n)`: the configured size for the first tenth of the parts, then
 * doubled each further tenth (8 MiB → 4 GiB: 10,000 parts hold 8 TiB, S3's largest object 5 TiB
 * fits). Parts up to the configured size are kept in memory as before; larger ones are written to
 * a spool file first (S3 needs each part's length before its body) and sent from it, so memory
 * stays at (queueSize + 1) × the configured size, and the disk holds at most (queueSize + 1)
 * spooled parts. An object that ends within the first part is one PutObject.
 */
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { RpcError } from '../../../../shared/contract/errors.js';
import { MAX_PART_BYTES, MIN_PART_BYTES } from './part-size.js';

/** The size of part `n` (1-based) of an upload starting at `base` with at most `maxParts` parts. */
export function partSizeAt(n: number, base: number, maxParts: number): number {
  const tier = Math.floor((n - 1) / Math.max(1, Math.ceil(maxParts / 10)));
  return Math.min(MAX_PART_BYTES, Math.max(MIN_PART_BYTES, base) * 2 ** tier);
}

/** The most `maxParts` growing parts can hold. */
export function growingCapacity(base: number, maxParts: number): number {
  let total = 0;
  for (let n = 1; n <= maxParts; n++) total += partSizeAt(n, base, maxParts);
  return total;
}

interface Part {
  number: number;
  size: number;
  bytes: number;
  buffers: Buffer[] | null;
  spool: { file: string; out: WriteStream } | null;
}

export interface GrowingUploadOptions {
  /** The signal-scoped client.send of the backend (it notes the upload id and fails fast). */
  send: S3Client['send'];
  bucket: string;
  key: string;
  body: Readable;
  base: number;
  maxParts: number;
  queueSize: number;
  /** Where parts larger than `base` are spooled (the OS's temporary folder by default). */
  spoolDir: string;
  /** The error when the object outgrows the last part. */
  tooMany: () => Error;
}

const write = (out: WriteStream, b: Buffer) => new Promise<void>((resolve, reject) => out.write(b, (e) => (e ? reject(e) : resolve())));
/** A spool file that cannot be written (a full disk) says where and why. */
const spoolFailure = (e: unknown, p: Part, dir: string) =>
  new RpcError('INTERNAL', `Could not spool part ${p.number} (${Math.round(p.size / 1048576)} MiB) of the upload in ${dir}: ${e instanceof Error ? e.message : String(e)}. Parts past the first ${Math.round(p.size / 2 / 1048576)} MiB ones are staged on disk; free space there or set TMPDIR.`);
const close = (out: WriteStream) => new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));

export async function growingUpload(o: GrowingUploadOptions): Promise<{ parts: number }> {
  const Bucket = o.bucket;
  const Key = o.key;
  let uploadId: Promise<string> | undefined;
  const sent: { PartNumber: number; ETag: string }[] = [];
  const inflight = new Set<Promise<void>>();
  const spools = new Set<string>();
  let failure: unknown;

  const open = async (n: number): Promise<Part> => {
    const size = partSizeAt(n, o.base, o.maxParts);
    if (n > o.maxParts || size <= Math.max(MIN_PART_BYTES, o.base)) return { number: n, size, bytes: 0, buffers: [], spool: null };
    const file = path.join(o.spoolDir, `hindsight-part-${process.pid}-${randomBytes(6).toString('hex')}`);
    spools.add(file);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    out.on('error', () => undefined); // surfaced by the write and close callbacks
    return { number: n, size, bytes: 0, buffers: null, spool: { file, out } };
  };
  const drop = async (p: Part) => {
    if (!p.spool) return;
    p.spool.out.destroy();
    await fs.rm(p.spool.file, { force: true });
    spools.delete(p.spool.file);
  };
  /** The part's bytes as a request body (and its length). */
  const bodyOf = async (p: Part) => {
    if (p.buffers) return Buffer.concat(p.buffers, p.bytes);
    await close(p.spool!.out);
    return createReadStream(p.spool!.file);
  };
  const uploadIdOf = () => {
    uploadId ??= o.send(new CreateMultipartUploadCommand({ Bucket, Key })).then((out) => {
      if (!out.UploadId) throw new Error(`CreateMultipartUpload of ${Key} returned no upload id`);
      return out.UploadId;
    });
    return uploadId;
  };
  const ship = async (p: Part) => {
    try {
      const UploadId = await uploadIdOf();
      const out = await o.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: p.number, Body: await bodyOf(p), ContentLength: p.bytes }));
      sent.push({ PartNumber: p.number, ETag: out.ETag ?? '' });
    } finally {
      p.buffers = null;
      await drop(p);
    }
  };
  /** Sends a full part once fewer than queueSize are in flight (the body waits meanwhile: backpressure). */
  const launch = async (p: Part) => {
    while (inflight.size >= o.queueSize) await Promise.race(inflight);
    if (failure) throw failure;
    const run: Promise<void> = ship(p)
      .catch((e: unknown) => {
        failure ??= e;
      })
      .finally(() => inflight.delete(run));
    inflight.add(run);
  };

  let part = await open(1);
  try {
    for await (const raw of o.body) {
      let chunk = raw as Buffer;
      while (chunk.length) {
        if (failure) throw failure;
        if (part.number > o.maxParts) throw o.tooMany();
        const room = part.size - part.bytes;
        const take = chunk.length <= room ? chunk : chunk.subarray(0, room);
        chunk = chunk.length <= room ? Buffer.alloc(0) : chunk.subarray(room);
        part.bytes += take.length;
        if (part.buffers) part.buffers.push(take);
        else await write(part.spool!.out, take).catch((e: unknown) => Promise.reject(spoolFailure(e, part, o.spoolDir)));
        if (part.bytes === part.size) {
          await launch(part);
          part = await open(part.number + 1);
        }
      }
    }
    if (part.number === 1) {
      // The whole object in the first part: one request, no multipart upload.
      await o.send(new PutObjectCommand({ Bucket, Key, Body: await bodyOf(part), ContentLength: part.bytes }));
      return { parts: 1 };
    }
    if (part.bytes > 0) await launch(part);
    else await drop(part);
    while (inflight.size) await Promise.race(inflight);
    if (failure) throw failure;
    sent.sort((a, b) => a.PartNumber - b.PartNumber);
    await o.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: await uploadIdOf(), MultipartUpload: { Parts: sent } }));
    return { parts: sent.length };
  } catch (e) {
    // Every request settles before the caller aborts the multipart upload: no part lands after.
    await Promise.allSettled([...inflight]);
    await drop(part);
    throw failure ?? e;
  } finally {
    for (const file of spools) await fs.rm(file, { force: true });
  }
}
