/**
 * "Create only if absent" on S3, for lock files and markers.
 *
 * AWS S3 (since 2024), recent MinIO and Ceph honour `If-None-Match: *` on PutObject: the second
 * writer gets 412 Precondition Failed. Other servers ignore the header — and then silently
 * overwrite — or reject it. We find out once per backend with a probe (write a scratch object
 * twice with the header; the second write must be refused) and otherwise fall back to a
 * best-effort sequence: HEAD (absent?) → PUT → GET back and compare. Two writers racing through
 * the same few milliseconds can then both believe they won; `capabilities()` reports which
 * behaviour is in force so the lock layer can say so.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { httpStatusOf, isNotFound, s3Error, s3ErrorName } from './errors.js';

function refusedAsExisting(e: unknown): boolean {
  const status = httpStatusOf(e);
  // 409 ConditionalRequestConflict: a concurrent conditional write to the same key is in progress.
  return status === 412 || status === 409 || s3ErrorName(e) === 'PreconditionFailed';
}

function headerUnsupported(e: unknown): boolean {
  const status = httpStatusOf(e);
  return status === 501 || s3ErrorName(e) === 'NotImplemented' || (status === 400 && /InvalidArgument|InvalidRequest/.test(s3ErrorName(e) ?? ''));
}

async function readAll(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) break;
    chunks.push(c);
  }
  body.destroy();
  return Buffer.concat(chunks);
}

export class PutIfAbsent {
  private probe: Promise<boolean> | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly base: string,
    private readonly location: string,
  ) {}

  /** Whether the server enforces If-None-Match on PutObject (probed once, then remembered). */
  supported(): Promise<boolean> {
    if (!this.probe) {
      const probing = this.runProbe();
      this.probe = probing;
      probing.catch(() => {
        if (this.probe === probing) this.probe = undefined; // a network failure is not an answer
      });
    }
    return this.probe;
  }

  private async runProbe(): Promise<boolean> {
    const Key = `${this.base}locks/.probe-conditional-write-${randomBytes(6).toString('hex')}`;
    const put = () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: 'probe', IfNoneMatch: '*' }));
    try {
      try {
        await put();
      } catch (e) {
        if (headerUnsupported(e)) return false;
        throw e;
      }
      try {
        await put();
        return false; // the second write went through: the header was ignored
      } catch (e) {
        if (refusedAsExisting(e)) return true;
        if (headerUnsupported(e)) return false;
        throw e;
      }
    } catch (e) {
      throw s3Error(e, this.location, 'checking conditional writes');
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })).catch(() => undefined);
    }
  }

  async put(key: string, body: Buffer, signal?: AbortSignal): Promise<boolean> {
    const Key = this.base + key;
    const opts = { abortSignal: signal };
    try {
      if (await this.supported()) {
        try {
          await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, IfNoneMatch: '*' }), opts);
          return true;
        } catch (e) {
          if (refusedAsExisting(e)) return false;
          throw e;
        }
      }
      // Best-effort: see the header comment.
      try {
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }), opts);
        return false;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body }), opts);
      const back = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }), opts);
      return (await readAll(back.Body as Readable, body.length + 1)).equals(body);
    } catch (e) {
      throw s3Error(e, this.location, `creating ${key}`, signal);
    }
  }
}
