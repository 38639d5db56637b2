/**
 * Crash-safe file writes and validated JSON reads for the config store.
 * A write goes to a temp file in the same directory, is fsynced, then renamed over the target, so a
 * reader (or a crash) sees either the old or the new content, never half of it. A read that finds
 * a file it cannot parse fails loudly: silently resetting hosts.json would lose the user's hosts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { RpcError } from '../../../shared/contract/errors.js';

export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // The mode passed to open() is filtered by the umask; secrets must end up exactly 0600.
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  // Persist the rename itself. Directories cannot be opened for fsync on Windows; skip there.
  if (process.platform !== 'win32') {
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}

/** Reads a text file, or undefined when it does not exist. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Reads and validates a JSON file; undefined when the file does not exist. A file that is not JSON
 * or does not fit the schema is an INTERNAL error naming the file and what is wrong with it.
 */
export async function readJsonFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S> | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw corrupt(file, `it is not valid JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`)
      .join('; ');
    throw corrupt(file, `its content does not fit the expected format (${issues})`);
  }
  return parsed.data;
}

function corrupt(file: string, why: string): RpcError {
  return new RpcError(
    'INTERNAL',
    `The configuration file ${file} cannot be read: ${why}. Fix it or move it away; Hindsight will not overwrite it.`,
  );
}
