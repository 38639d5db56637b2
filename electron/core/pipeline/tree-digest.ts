/**
 * A digest of a tree's entries — each one's path and whether it is a directory — that does not
 * depend on the order they are met in: the sum, modulo 2^256, of SHA-256("<d|-> <path>") over the
 * entries. A backup's level computes it from GNU tar's directory listings (tar-dumpdir.ts: the whole
 * tree at that level); a restore, from a listing of the target (`find`, any order). Equal digests:
 * the restored tree holds exactly the entries the level listed — none missing (a level not applied),
 * none extra (a deletion or rename not applied). Contents are checked by the levels' checksums.
 *
 * Memory: one 256-bit number, whatever the tree's size. Paths: "" for the root, "a/b" below it.
 */
import { createHash } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const MASK = (1n << 256n) - 1n;

export class TreeDigest {
  private sum = 0n;
  entries = 0;

  add(path: string, dir: boolean): void {
    const h = createHash('sha256').update(`${dir ? 'd' : '-'} ${path}`).digest('hex');
    this.sum = (this.sum + BigInt(`0x${h}`)) & MASK;
    this.entries++;
  }

  get hex(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}

/** The digest of a listing of NUL-terminated "<find's %y> <path>" records (sources/pipe-tar.ts). */
export async function digestListing(listing: Readable): Promise<{ entries: number; digest: string }> {
  const digest = new TreeDigest();
  let rest = Buffer.alloc(0);
  await pipeline(
    listing,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
        let nul: number;
        while ((nul = buf.indexOf(0)) >= 0) {
          const record = buf.toString('utf8', 0, nul);
          buf = buf.subarray(nul + 1);
          if (record.length < 2 || record[1] !== ' ') return cb(new Error(`An unexpected line in a volume's listing: ${JSON.stringify(record.slice(0, 80))}`));
          digest.add(record.slice(2), record[0] === 'd');
        }
        rest = Buffer.from(buf);
        cb();
      },
      final(cb) {
        cb(rest.length ? new Error("A volume's listing ends in the middle of a line.") : null);
      },
    }),
  );
  return { entries: digest.entries, digest: digest.hex };
}
