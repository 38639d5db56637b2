/**
 * Test witness for file-like backends: temp files of in-flight uploads found directly on disk
 * (a local repository, or annex's directory seen from the lab machine), not through the backend.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { TEMP_SUFFIX } from '../backend.js';

export async function tempFilesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  return entries.filter((e) => e.isFile() && TEMP_SUFFIX.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}
