/**
 * A repository in an S3-compatible bucket (AWS, MinIO, Ceph, Swift's S3 API, s3rver in the lab),
 * under an optional key prefix.
 *
 * Uploads stream through lib-storage's multipart Upload with bounded parts (queueSize × partSize
 * in memory, about 2 × 8 MiB by default); an object appears only at CompleteMultipartUpload (or
 * the single PutObject of a small body), so no reader sees half of it. Every request of an upload
 * carries the caller's AbortSignal; on abort or failure the multipart upload is aborted
 * (AbortMultipartUpload) once no part is in flight any more.
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { RpcError } from '../../../../shared/contract/errors.js';
import {
  assertKey,
  assertPrefix,
  type BackendCapabilities,
  type GetOptions,
  type ObjectInfo,
  type ObjectStat,
  type PutOptions,
  type RepositoryBackend,
  type SignalOption,
} from '../backend.js';
import { notFound } from '../errors.js';
import { ByteCounter, destroyOnAbort, throwIfAborted } from '../streams.js';
import { createS3Client, type S3ClientOptions } from './client.js';
import { isNotFound, s3Error } from './errors.js';
import { PutIfAbsent } from './put-if-absent.js';
import { rangedReader, type FetchRange } from './ranged-reader.js';
import type { UploadJournal } from './upload-journal.js';
import { MAX_PARTS, MIN_PART_BYTES, partSizeFor, tooManyPartsMessage } from './part-size.js';
import { growingCapacity, growingUpload } from './growing-upload.js';

/**
 * Large objects (a restore: the size is known) are read as parallel ranged GETs of this size, this
 * many at a time (ranged-reader.ts): 8 MiB × 4 holds ≤ 40 MiB.
 */
const READ_PART_BYTES = 8 << 20;
const READ_CONCURRENCY = 4;

export interface S3BackendOptions extends Omit<S3ClientOptions, 'location'> {
  /** The repository's name, for messages. */
  name: string;
  bucket: string;
  prefix: string;
  /** Bytes per multipart part (min 5 MiB); 8 MiB by default, more for a large object (part-size.ts). */
  partSize?: number;
  /** Parts per object; S3's 10,000 by default (tests make it small). */
  maxParts?: number;
  /** Parts uploaded at once; 2 by default. Memory ≈ (queueSize + 1) × partSize. */
  queueSize?: number;
  /** Keys per ListObjects page; 1000 (the S3 maximum) by default. */
  listPageSize?: number;
  /** Where open multipart uploads are noted, so a killed process's can be aborted later. */
  uploadJournal?: UploadJournal;
  /** Where the growing parts of a large or unsized object are staged (growing-upload.ts); the OS's temporary folder by default. */
  spoolDir?: string;
}

export class S3Backend implements RepositoryBackend {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly client: S3Client;
  private readonly bucket: string;
  /** "" or "some/prefix/". */
  private readonly base: string;
  private readonly partSize: number;
  private readonly maxParts: number;
  private readonly journal: UploadJournal | undefined;
  private readonly queueSize: number;
  private readonly pageSize: number;
  private readonly conditional: PutIfAbsent;
  private readonly spoolDir: string;

  constructor(opts: S3BackendOptions) {
    this.bucket = opts.bucket;
    this.base = opts.prefix.replace(/^\/+|\/+$/g, '') ? `${opts.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
    const where = opts.endpoint ? `at ${opts.endpoint}` : `AWS ${opts.region}`;
    this.location = `S3 repository ${opts.name} (s3://${opts.bucket}/${this.base} ${where})`;
    this.client = createS3Client({ ...opts, location: this.location });
    this.partSize = opts.partSize ?? 8 << 20;
    this.maxParts = opts.maxParts ?? MAX_PARTS;
    this.queueSize = opts.queueSize ?? 2;
    this.pageSize = opts.listPageSize ?? 1000;
    this.journal = opts.uploadJournal;
    this.spoolDir = opts.spoolDir ?? os.tmpdir();
    this.conditional = new PutIfAbsent(this.client, this.bucket, this.base, this.location);
  }

  private full(key: string): string {
    return this.base + key;
  }

  async putObject(key: string, body: Readable, opts: PutOptions = {}): Promise<{ bytes: number }> {
    assertKey(key);
    const { signal } = opts;
    throwIfAborted(signal, this.location, `Writing ${key}`);
    // A size known and within fixed parts of the configured size: lib-storage's Upload. Unknown, or
    // too large for them: parts that grow as the object does (growing-upload.ts).
    const base = Math.max(MIN_PART_BYTES, this.partSize);
    const size = opts.contentLength ?? opts.expectedBytes;
    const growing = size === undefined || !(size > 0) || partSizeFor(size, this.partSize, this.maxParts) > base;
    const most = growing ? growingCapacity(base, this.maxParts) : base * this.maxParts;
    const counter = new ByteCounter(opts.contentLength, key, { bytes: most, error: () => new RpcError('INVALID_INPUT', tooManyPartsMessage(key, most, this.maxParts, growing)) });
    const requests = new AbortController();
    const uploadIds = new Set<string>();
    let firstFailure: unknown;

    // Stop everything at once on abort: requests in flight, and the body (an uploader may be
    // waiting for its next part from a stalled source; it must not keep the upload open).
    const onAbort = () => {
      requests.abort();
      counter.destroy(Object.assign(new Error('The upload was cancelled.'), { name: 'AbortError' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    body.once('error', (e) => counter.destroy(e));
    body.pipe(counter);

    // lib-storage sends through `client.send(command)` without options; this view of the client
    // adds the abort signal to every request, remembers the multipart upload id, and fails the
    // body fast when a request has failed for good (so a waiting uploader does not hang on it).
    const scoped = Object.create(this.client) as S3Client;
    scoped.send = (async (command: Parameters<S3Client['send']>[0]) => {
      try {
        const out = await this.client.send(command as never, { abortSignal: requests.signal });
        if (command instanceof CreateMultipartUploadCommand && (out as { UploadId?: string }).UploadId) {
          const id = (out as { UploadId: string }).UploadId;
          uploadIds.add(id);
          await this.journal?.started(this.bucket, this.full(key), id);
        }
        return out;
      } catch (e) {
        firstFailure ??= e;
        counter.destroy(e as Error);
        throw e;
      }
    }) as S3Client['send'];

    const done = growing
      ? () => growingUpload({ send: scoped.send.bind(scoped), bucket: this.bucket, key: this.full(key), body: counter, base, maxParts: this.maxParts, queueSize: this.queueSize, spoolDir: this.spoolDir, tooMany: () => new RpcError('INVALID_INPUT', tooManyPartsMessage(key, most, this.maxParts, true)) })
      : () =>
          new Upload({
            client: scoped,
            params: { Bucket: this.bucket, Key: this.full(key), Body: counter, ContentLength: opts.contentLength },
            partSize: base,
            queueSize: this.queueSize,
            // We abort the multipart upload ourselves, after every uploader has stopped (see below).
            leavePartsOnError: true,
          }).done();
    try {
      await done();
      for (const id of uploadIds) await this.journal?.ended(id);
      return { bytes: counter.bytes };
    } catch (e) {
      requests.abort();
      body.unpipe(counter);
      body.destroy();
      counter.destroy();
      const error = s3Error(firstFailure ?? e, this.location, `writing ${key}`, signal);
      // done() settles only once all uploaders have stopped: no part can land after this abort.
      const leftovers = await this.abortUploads(key, uploadIds);
      throw leftovers ? new RpcError(error.code, error.message, [error.detail, leftovers].filter(Boolean).join('; ')) : error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Aborts the multipart uploads a killed process of this machine left open in this repository
   * (upload-journal.ts); returns how many. Uploads of live processes are left alone.
   */
  async abortOrphanUploads(): Promise<number> {
    if (!this.journal) return 0;
    let n = 0;
    for (const o of await this.journal.orphans()) {
      try {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId: o.uploadId }));
        n++;
      } catch (e) {
        if ((e as { name?: string }).name !== 'NoSuchUpload') continue; // kept: tried again next time
      }
      await this.journal.ended(o.uploadId);
    }
    return n;
  }

  /** Aborts multipart uploads; a description of any that could not be aborted, else undefined. */
  private async abortUploads(key: string, uploadIds: Set<string>): Promise<string | undefined> {
    const problems: string[] = [];
    for (const UploadId of uploadIds) {
      try {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.full(key), UploadId }));
        await this.journal?.ended(UploadId);
      } catch (e) {
        if ((e as { name?: string }).name === 'NoSuchUpload') {
          await this.journal?.ended(UploadId);
          continue;
        }
        problems.push(
          `the server did not accept AbortMultipartUpload for upload ${UploadId} (${(e as Error).name}); ` +
            'its parts stay until a bucket lifecycle rule ("abort incomplete multipart uploads") removes them',
        );
      }
    }
    return problems.length ? problems.join('; ') : undefined;
  }

  async getObject(key: string, opts: GetOptions = {}): Promise<Readable> {
    assertKey(key);
    const { signal, range } = opts;
    throwIfAborted(signal, this.location, `Reading ${key}`);
    if (!range && opts.expectedSize !== undefined && opts.expectedSize >= 2 * READ_PART_BYTES) {
      const fetch: FetchRange = async (start, end, partSignal) => {
        try {
          const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key), Range: `bytes=${start}-${end}` }), { abortSignal: partSignal });
          return { body: out.Body as Readable, contentRange: out.ContentRange };
        } catch (e) {
          if (!partSignal.aborted && isNotFound(e)) throw notFound(this.location, key);
          throw s3Error(e, this.location, `reading ${key}`, partSignal);
        }
      };
      return rangedReader(fetch, { size: opts.expectedSize, partBytes: READ_PART_BYTES, concurrency: READ_CONCURRENCY, signal, what: `${this.location} ${key}` });
    }
    const Range = range ? `bytes=${range.start}-${range.end ?? ''}` : undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key), Range }), { abortSignal: signal });
      return destroyOnAbort(out.Body as Readable, signal);
    } catch (e) {
      if (!signal?.aborted && isNotFound(e)) throw notFound(this.location, key);
      throw s3Error(e, this.location, `reading ${key}`, signal);
    }
  }

  async stat(key: string, opts: SignalOption = {}): Promise<ObjectStat | null> {
    assertKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) }), { abortSignal: opts.signal });
      return { size: out.ContentLength ?? 0, mtime: out.LastModified ?? new Date(0) };
    } catch (e) {
      if (!opts.signal?.aborted && isNotFound(e)) return null;
      throw s3Error(e, this.location, `looking at ${key}`, opts.signal);
    }
  }

  /**
   * Paged with ListObjects (v1) and Marker, which every S3-compatible server implements the same
   * way. (ListObjectsV2's continuation tokens are server-made and fragile: s3rver's are
   * DES-encrypted, which OpenSSL 3 no longer offers, so any truncated V2 page fails there.)
   */
  async *list(prefix: string, opts: SignalOption = {}): AsyncGenerator<ObjectInfo> {
    assertPrefix(prefix);
    const { signal } = opts;
    let Marker: string | undefined;
    for (;;) {
      const page = await this.client
        .send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: this.full(prefix), MaxKeys: this.pageSize, Marker }), { abortSignal: signal })
        .catch((e: unknown) => {
          throw s3Error(e, this.location, `listing ${prefix || '/'}`, signal);
        });
      const contents = page.Contents ?? [];
      for (const o of contents) {
        // "folder/" markers made by web consoles are not objects of ours.
        if (!o.Key || o.Key.endsWith('/')) continue;
        yield { key: o.Key.slice(this.base.length), size: o.Size ?? 0 };
      }
      if (!page.IsTruncated) return;
      const last = contents.at(-1)?.Key;
      if (!last || last === Marker) {
        throw new RpcError('INTERNAL', `${this.location}: listing ${prefix || '/'} failed: the server said there was more but returned nothing new.`);
      }
      Marker = last;
    }
  }

  async deleteObject(key: string, opts: SignalOption = {}): Promise<void> {
    assertKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) }), { abortSignal: opts.signal });
    } catch (e) {
      if (!opts.signal?.aborted && isNotFound(e)) return;
      throw s3Error(e, this.location, `deleting ${key}`, opts.signal);
    }
  }

  async putIfAbsent(key: string, body: Buffer, opts: SignalOption = {}): Promise<boolean> {
    assertKey(key);
    return this.conditional.put(key, body, opts.signal);
  }

  async capabilities(): Promise<BackendCapabilities> {
    return { atomicPutIfAbsent: await this.conditional.supported() };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
