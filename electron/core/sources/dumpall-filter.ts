/**
 * Makes a pg_dumpall script loadable with ON_ERROR_STOP=1 into a cluster that already exists.
 *
 * pg_dumpall always writes `CREATE ROLE <r>;` for every role (then ALTER ROLE for its attributes),
 * and with --clean `DROP ROLE IF EXISTS <r>;` too. For the role psql is connected as, both fail in
 * any target cluster ("current user cannot be dropped", "role … already exists") — pg_dumpall's own
 * docs say to expect that error. Stopping at the first error (we must: a restore that ignores
 * errors can report success on a half-loaded database) would then stop at line 20. So these two
 * statements — for the connected role only — are dropped on the way in; its ALTER ROLE still applies.
 *
 * Only the cluster preamble is looked at: lines before the first `\connect`, where pg_dumpall puts
 * roles, tablespaces and DROP DATABASE, and never table data. From there on bytes pass untouched,
 * so the cost is nil and no COPY row can ever be mistaken for a statement. Loading the stored
 * object by hand (`psql -f`) without this filter just shows the two harmless errors.
 */
import { Transform, type TransformCallback } from 'node:stream';

const MAX_PREAMBLE_LINE = 1 << 20;

function roleNames(role: string): string[] {
  const quoted = `"${role.replace(/"/g, '""')}"`;
  // pg_dump's fmtId quotes only what needs it; accept both spellings.
  return [role, quoted];
}

export class DumpallRoleFilter extends Transform {
  private inPreamble = true;
  private partial: Buffer = Buffer.alloc(0);
  private readonly dropLines: Set<string>;

  constructor(role: string) {
    super();
    this.dropLines = new Set(roleNames(role).flatMap((r) => [`DROP ROLE IF EXISTS ${r};`, `DROP ROLE ${r};`, `CREATE ROLE ${r};`]));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (!this.inPreamble) return callback(null, chunk);
    let data = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = Buffer.alloc(0);
    let start = 0;
    while (this.inPreamble) {
      const nl = data.indexOf(0x0a, start);
      if (nl === -1) break;
      const line = data.toString('utf8', start, nl).replace(/\r$/, '');
      if (line.startsWith('\\connect')) {
        this.inPreamble = false;
        break;
      }
      if (!this.dropLines.has(line)) this.push(data.subarray(start, nl + 1));
      start = nl + 1;
    }
    data = data.subarray(start);
    if (!this.inPreamble) return callback(null, data.length ? data : undefined);
    if (data.length > MAX_PREAMBLE_LINE) {
      // Not a pg_dumpall preamble after all: stop looking, change nothing.
      this.inPreamble = false;
      return callback(null, data);
    }
    this.partial = Buffer.from(data);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.partial.length) this.push(this.partial);
    callback();
  }
}
