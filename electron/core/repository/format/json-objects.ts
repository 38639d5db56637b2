/**
 * Small JSON objects (the marker, manifests, lock entries) read and written through any backend.
 * Reads are size-capped: a corrupt or hostile repository must not make us buffer gigabytes.
 */
import { Readable } from 'node:stream';
import type { z } from 'zod';
import { RpcError } from '../../../../shared/contract/errors.js';
import type { RepositoryBackend, SignalOption } from '../backend.js';

const DEFAULT_LIMIT = 4 << 20;

export async function readSmallObject(backend: RepositoryBackend, key: string, opts: SignalOption & { limit?: number } = {}): Promise<Buffer> {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const body = await backend.getObject(key, { signal: opts.signal });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new RpcError('INTERNAL', `${backend.location}: ${key} is larger than ${limit} bytes; it is not what Hindsight wrote there.`);
      chunks.push(chunk);
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks);
}

/** Parses and validates; a problem is reported with the object's key and what is wrong. */
export function parseJsonObject<S extends z.ZodType>(backend: RepositoryBackend, key: string, data: Buffer, schema: S): z.output<S> {
  return validateJsonObject(backend, key, parseJsonText(backend, key, data), schema);
}

/** The JSON value of an object's bytes, or an error naming the object. */
export function parseJsonText(backend: RepositoryBackend, key: string, data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new RpcError('INTERNAL', `${backend.location}: ${key} is not valid JSON.`, (e as Error).message);
  }
}

/** Validates an already parsed object (a reader that needs the raw object too parses only once). */
export function validateJsonObject<S extends z.ZodType>(backend: RepositoryBackend, key: string, raw: unknown, schema: S): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`)
      .join('; ');
    throw new RpcError('INTERNAL', `${backend.location}: ${key} does not have the expected content.`, issues);
  }
  return parsed.data;
}

export async function readJsonObject<S extends z.ZodType>(backend: RepositoryBackend, key: string, schema: S, opts: SignalOption = {}): Promise<z.output<S>> {
  return parseJsonObject(backend, key, await readSmallObject(backend, key, opts), schema);
}

/** Pretty JSON with a final newline: these files are meant to be read by people too. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2) + '\n');
}

export async function writeJsonObject(backend: RepositoryBackend, key: string, value: unknown, opts: SignalOption = {}): Promise<void> {
  const data = jsonBytes(value);
  await backend.putObject(key, Readable.from([data]), { signal: opts.signal, contentLength: data.length });
}

/** Every key under a prefix, sorted (small prefixes: run records, verify records, one snapshot's objects). */
export async function listKeys(backend: RepositoryBackend, prefix: string, opts: SignalOption = {}): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of backend.list(prefix, opts)) keys.push(o.key);
  return keys.sort();
}
