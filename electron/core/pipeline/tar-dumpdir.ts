/**
 * GNU tar's dumpdirs: the listing a listed-incremental archive carries for every directory (in a
 * POSIX archive, the pax record `GNU.dumpdir` of the directory's entry). Extracting with
 * `--listed-incremental=/dev/null`, GNU tar first performs the renames it lists, then deletes
 * whatever the directory holds on disk that the listing does not name — that is how a level
 * restores deletions (issue 10, ARCHITECTURE §9).
 *
 * A dumpdir is a sequence of records "<code><name>\0", ended by an empty one:
 *   Y name   in this archive          N name   present, unchanged since the last level
 *   D name   a directory              X path   a temporary directory for rename cycles
 *   R path   rename from …            T path   … to (either may be empty: the temporary directory)
 * Y/N/D name a child of the directory (one path component); R/T/X hold member names from the
 * archive's root ("./a/b").
 *
 * A restore is fed by the snapshot's writer, so a dumpdir is checked like any name (tar-policy.ts):
 * children must be single, ordinary components; rename paths must stay inside the archive, never
 * be its root, never pass through a symbolic link; codes GNU tar does not define are refused. The
 * accepted listing is written again with its paths in canonical form under the restore's prefix
 * (tar-canonical.ts), so GNU tar renames exactly what was checked.
 */
import { splitEntryName } from './tar-policy.js';

/** R/T with path "": the temporary directory; X with path "": the archive's root. */
export type DumpdirRecord = { code: 'Y' | 'N' | 'D'; name: string } | { code: 'R' | 'T' | 'X'; path: string };

const CHILD = new Set(['Y', 'N', 'D']);
const PATHS = new Set(['R', 'T', 'X']);

/** The records of a dumpdir, or why it is refused. Paths come back normalised ("a/b"; "" = the temporary directory). */
export function parseDumpdir(value: Buffer): { records: DumpdirRecord[] } | { problem: string } {
  const records: DumpdirRecord[] = [];
  let off = 0;
  let tempdir = false;
  let expectT = false;
  for (;;) {
    const nul = value.indexOf(0, off);
    if (nul < 0) return { problem: 'has a GNU dumpdir that is not terminated' };
    if (nul === off) {
      // The terminating empty record: nothing may follow it.
      if (nul !== value.length - 1) return { problem: 'has data after the end of its GNU dumpdir' };
      break;
    }
    const code = String.fromCharCode(value[off]!);
    const text = value.toString('utf8', off + 1, nul);
    off = nul + 1;
    if (expectT && code !== 'T') return { problem: 'has a GNU dumpdir whose rename ("R") is not followed by its target ("T")' };
    if (CHILD.has(code)) {
      if (text === '' || text === '.' || text === '..' || text.includes('/')) return { problem: `lists "${text}" in its GNU dumpdir, which is not a single file name` };
      records.push({ code: code as 'Y' | 'N' | 'D', name: text });
      continue;
    }
    if (!PATHS.has(code)) return { problem: `has a GNU dumpdir record of unknown kind "${printable(code)}"` };
    let path = '';
    if (text !== '' || code === 'X') {
      const parsed = splitEntryName(text);
      if ('problem' in parsed) return { problem: `names "${text}" in its GNU dumpdir, which ${parsed.problem}` };
      // The temporary directory may be made in the root; the root itself is never renamed.
      if (parsed.parts.length === 0 && code !== 'X') return { problem: `names the archive's root in a rename of its GNU dumpdir` };
      path = parsed.parts.join('/');
    } else if (!tempdir) return { problem: 'has a GNU dumpdir rename with an empty name and no temporary directory' };
    if (code === 'X') tempdir = true;
    if (code === 'R') expectT = true;
    if (code === 'T') {
      if (records.at(-1)?.code !== 'R') return { problem: 'has a GNU dumpdir target ("T") without a rename ("R") before it' };
      expectT = false;
    }
    records.push({ code: code as 'R' | 'T' | 'X', path });
  }
  if (expectT) return { problem: 'has a GNU dumpdir that ends in the middle of a rename' };
  return { records };
}

/** The dumpdir again, its paths under `prefix` ("v" → "v/a/b"; "" keeps them relative). */
export function encodeDumpdir(records: DumpdirRecord[], prefix: string): Buffer {
  const parts: string[] = [];
  for (const r of records) {
    if ('name' in r) parts.push(`${r.code}${r.name}\0`);
    else if (r.path === '') parts.push(r.code === 'X' ? `X${prefix === '' ? '.' : prefix}\0` : `${r.code}\0`);
    else parts.push(`${r.code}${prefix === '' ? r.path : `${prefix}/${r.path}`}\0`);
  }
  parts.push('\0');
  return Buffer.from(parts.join(''), 'utf8');
}

/** The renames of a dumpdir, in order ("" = the temporary directory). */
export function renamesOf(records: DumpdirRecord[]): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const t = records[i + 1];
    if (r.code === 'R' && t?.code === 'T') out.push({ from: r.path, to: t.path });
  }
  return out;
}

/** How many entries the directory holds at the time of the level (its Y, N and D names). */
export function childCount(records: DumpdirRecord[]): number {
  return records.filter((r) => r.code === 'Y' || r.code === 'N' || r.code === 'D').length;
}

function printable(c: string): string {
  return /^[\x21-\x7e]$/.test(c) ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}
