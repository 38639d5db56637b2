/**
 * An in-memory RepositoryBackend for unit tests of the layers above (format, pipeline): the same
 * semantics as the real ones (atomic put, key order, prefix and "directory" listing), plus a
 * record of the list calls so tests can assert that a date range touched only the prefixes it
 * needs. Not a substitute for the real backends: those are tested against the lab.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import {
  assertKey,
  assertPrefix,
  compareKeys,
  type BackendCapabilities,
  type GetOptions,
  type ObjectInfo,
  type ObjectStat,
  type PutOptions,
  type RepositoryBackend,
} from '../backend.js';
import { notFound } from '../errors.js';
import { ByteCounter, cancelled } from '../streams.js';

export class MemoryBackend implements RepositoryBackend {
  readonly kind = 'local' as const;
  readonly location = 'Memory repository';
  readonly objects = new Map<string, { data: Buffer; mtime: Date }>();
  /** The prefix of every list() call, in order. */
  readonly calls: string[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Test setup: an object without going through a stream. */
  seed(key: string, data: Buffer | string = ''): void {
    assertKey(key);
    this.objects.set(key, { data: Buffer.from(data), mtime: this.now() });
  }

  async putObject(key: string, body: Readable, opts: PutOptions = {}): Promise<{ bytes: number }> {
    assertKey(key);
    const chunks: Buffer[] = [];
    const counter = new ByteCounter(opts.contentLength, key);
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    try {
      await pipeline(body, counter, sink, { signal: opts.signal });
    } catch (e) {
      if (opts.signal?.aborted) throw cancelled(this.location, `Writing ${key}`);
      throw e;
    }
    this.objects.set(key, { data: Buffer.concat(chunks), mtime: this.now() });
    return { bytes: counter.bytes };
  }

  async getObject(key: string, opts: GetOptions = {}): Promise<Readable> {
    assertKey(key);
    const o = this.objects.get(key);
    if (!o) throw notFound(this.location, key);
    const { start = 0, end = o.data.length - 1 } = opts.range ?? {};
    return Readable.from([o.data.subarray(start, end + 1)]);
  }

  async stat(key: string): Promise<ObjectStat | null> {
    assertKey(key);
    const o = this.objects.get(key);
    return o ? { size: o.data.length, mtime: o.mtime } : null;
  }

  async *list(prefix: string): AsyncGenerator<ObjectInfo> {
    assertPrefix(prefix);
    this.calls.push(prefix);
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    for (const key of keys) yield { key, size: this.objects.get(key)!.data.length };
  }

  async deleteObject(key: string): Promise<void> {
    assertKey(key);
    this.objects.delete(key);
  }

  async putIfAbsent(key: string, body: Buffer): Promise<boolean> {
    assertKey(key);
    if (this.objects.has(key)) return false;
    this.objects.set(key, { data: Buffer.from(body), mtime: this.now() });
    return true;
  }

  async capabilities(): Promise<BackendCapabilities> {
    return { atomicPutIfAbsent: true };
  }

  async close(): Promise<void> {}
}
