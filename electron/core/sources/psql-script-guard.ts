/**
 * A plain-SQL dump is loaded with psql, and psql runs backslash meta-commands found anywhere outside
 * quotes and comments: `\! sh -c …` runs a shell in the target's container, `\copy … program`,
 * `\o |cmd`, `\i /file`, `\setenv`… A snapshot is data, never instructions (ARCHITECTURE §4), so
 * this pass-through stage follows psql's lexer (quotes '…', E'…', "…", $tag$…$tag$, -- and nested
 * /* comments, COPY … FROM stdin data up to its `\.` line) and refuses any meta-command except the
 * ones pg_dump and pg_dumpall write themselves:
 *
 *   \connect <database>  or  \connect -reuse-previous=on "dbname='<database>'"   (nothing else:
 *                        a conninfo naming a host would send the password there)
 *   \restrict <key>, \unrestrict <key>                                          (PostgreSQL ≥ 17.6, 16.10, 15.14…)
 *   \.                   the end of COPY data
 *
 * It refuses `COPY … PROGRAM` too (pg_dump never writes it; it would run a command as the server).
 * Bytes pass unchanged. COPY data is scanned a line at a time without being looked into; SQL is
 * scanned a byte at a time, holding back only a meta-command's line until it has been checked.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';

export class UnsafeScriptError extends RpcError {
  readonly reason = 'UNSAFE_SCRIPT';
  constructor(readonly line: number, what: string) {
    super('INTERNAL', `The SQL dump was refused at line ${line}: ${what}. A snapshot may hold SQL only; it never runs psql commands.`);
  }
}

const MAX_META = 64 * 1024;
const IDENT = /[A-Za-z0-9_\x80-\xff]/;
const ALLOWED_META = [
  /^\\connect [A-Za-z_][A-Za-z0-9_$]*$/,
  /^\\connect -reuse-previous=on "dbname='(?:[^'\\"]|\\\\|\\'|"")*'"$/,
  /^\\connect -reuse-previous=on "dbname=[A-Za-z0-9_.]+"$/,
  /^\\(?:un)?restrict [A-Za-z0-9]+$/,
];

type Lex =
  | { kind: 'sql' }
  | { kind: 'single'; backslash: boolean }
  | { kind: 'double' }
  | { kind: 'dollar'; tag: string }
  | { kind: 'line-comment' }
  | { kind: 'block-comment'; depth: number }
  | { kind: 'meta'; bytes: number[] }
  | { kind: 'copy'; atLineStart: boolean };

export class PsqlScriptGuard extends Transform {
  private lex: Lex = { kind: 'sql' };
  private line = 1;
  private prev = 0x0a;
  /** The start of the current statement, outside quotes and comments (enough to recognise COPY). */
  private statement = '';
  private copyPending = false;
  private carry: Buffer = Buffer.alloc(0);
  /**
   * The bytes of a statement that may be a COPY, held until it is known not to be one or its ";"
   * was checked: psql runs an unfinished last statement at end of input, so a refused
   * `COPY … PROGRAM` must never have reached it.
   */
  private hold: Buffer[] | undefined;
  private holdBytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    try {
      const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
      this.carry = Buffer.alloc(0);
      const out = this.scan(data, false);
      callback(null, out.length ? out : undefined);
    } catch (e) {
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const data = this.carry;
      this.carry = Buffer.alloc(0);
      let out = this.scan(data, true);
      if (this.hold) {
        // The input ends inside a statement that may be a COPY: it never reaches psql unchecked.
        if (/^copy\b/i.test(this.statement.trimStart())) throw new UnsafeScriptError(this.line, 'an unfinished COPY statement at the end of the dump');
        out = Buffer.concat([out, ...this.hold]);
        this.hold = undefined;
      }
      const lex = this.lex as Lex;
      if (lex.kind === 'meta') {
        this.checkMeta(Buffer.from(lex.bytes).toString('utf8'));
        out = Buffer.concat([out, Buffer.from([0x5c, ...lex.bytes])]);
      }
      callback(null, out.length ? out : undefined);
    } catch (e) {
      callback(e as Error);
    }
  }

  /** Returns the bytes that may go on; keeps an undecided tail in `carry` (a `$`, a line start in COPY data). */
  private scan(data: Buffer, final: boolean): Buffer {
    const pass: Buffer[] = [];
    /** Start of the bytes not yet passed on (a held meta-command line lives in lex.bytes instead). */
    let from = 0;
    let i = 0;
    const emit = (b: Buffer) => {
      if (b.length === 0) return;
      if (!this.hold) return void pass.push(b);
      this.hold.push(Buffer.from(b));
      this.holdBytes += b.length;
      if (this.holdBytes > MAX_META * 16) throw new UnsafeScriptError(this.line, 'a COPY statement of more than 1 MiB');
    };
    const release = (to: number) => {
      const held = this.hold ?? [];
      this.hold = undefined;
      this.holdBytes = 0;
      pass.push(...held, data.subarray(from, to));
      from = to;
    };
    const stop = (at: number): Buffer => {
      this.carry = Buffer.from(data.subarray(at));
      if (this.lex.kind !== 'meta' && at > from) emit(data.subarray(from, at));
      return Buffer.concat(pass);
    };
    while (i < data.length) {
      const lex = this.lex;
      if (lex.kind === 'copy') {
        // Only a line that is exactly "\." ends the data; nothing else in it is looked at.
        if (lex.atLineStart) {
          if (data.length - i < 3 && !final) return stop(i);
          const head = data.toString('latin1', i, i + 3);
          if (head === '\\.\n' || (final && head === '\\.')) {
            i += head.length;
            this.line++;
            this.lex = { kind: 'sql' };
            this.prev = 0x0a;
            continue;
          }
        }
        const nl = data.indexOf(0x0a, i);
        lex.atLineStart = nl !== -1;
        if (nl === -1) break;
        this.line++;
        i = nl + 1;
        continue;
      }
      const c = data[i]!;
      if (lex.kind === 'meta') {
        if (c === 0x0a) {
          this.checkMeta(Buffer.from(lex.bytes).toString('utf8'));
          emit(Buffer.from([0x5c, ...lex.bytes]));
          this.lex = { kind: 'sql' };
          from = i; // the newline goes on with what follows
          continue;
        }
        lex.bytes.push(c);
        if (lex.bytes.length > MAX_META) throw new UnsafeScriptError(this.line, 'a psql command line of more than 64 KiB');
        i++;
        continue;
      }
      if (c === 0x0a) this.line++;
      const next = data[i + 1];
      if (lex.kind === 'single') {
        if (lex.backslash && c === 0x5c) {
          if (next === undefined && !final) return stop(i);
          i++;
        } else if (c === 0x27) this.lex = { kind: 'sql' };
      } else if (lex.kind === 'double') {
        if (c === 0x22) this.lex = { kind: 'sql' };
      } else if (lex.kind === 'line-comment') {
        if (c === 0x0a) this.lex = { kind: 'sql' };
      } else if (lex.kind === 'block-comment') {
        if ((c === 0x2a || c === 0x2f) && next === undefined && !final) return stop(i);
        if (c === 0x2a && next === 0x2f) {
          i++;
          this.lex = lex.depth === 1 ? { kind: 'sql' } : { kind: 'block-comment', depth: lex.depth - 1 };
        } else if (c === 0x2f && next === 0x2a) {
          i++;
          lex.depth++;
        }
      } else if (lex.kind === 'dollar') {
        if (c === 0x24) {
          const end = `$${lex.tag}$`;
          if (i + Buffer.byteLength(end) > data.length && !final) return stop(i);
          if (data.toString('utf8', i, i + Buffer.byteLength(end)) === end) {
            i += Buffer.byteLength(end) - 1;
            this.lex = { kind: 'sql' };
          }
        }
      } else {
        // Plain SQL.
        if ((c === 0x2d || c === 0x2f) && next === undefined && !final) return stop(i);
        if (c === 0x5c) {
          // A meta-command: its line is held back until it has been checked.
          emit(data.subarray(from, i));
          this.lex = { kind: 'meta', bytes: [] };
          i++;
          continue;
        }
        if (c === 0x27) this.lex = { kind: 'single', backslash: this.prev === 0x45 || this.prev === 0x65 };
        else if (c === 0x22) this.lex = { kind: 'double' };
        else if (c === 0x2d && next === 0x2d) this.lex = { kind: 'line-comment' };
        else if (c === 0x2f && next === 0x2a) {
          this.lex = { kind: 'block-comment', depth: 1 };
          i++;
        } else if (c === 0x24 && !IDENT.test(String.fromCharCode(this.prev))) {
          const look = data.toString('latin1', i, Math.min(data.length, i + 80));
          const m = /^\$([A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$/.exec(look);
          if (m) {
            this.lex = { kind: 'dollar', tag: data.toString('utf8', i + 1, i + m[0].length - 1) };
            i += m[0].length - 1;
          } else if (!final && /^\$[A-Za-z0-9_\x80-\xff]*$/.test(look) && look.length < 80) return stop(i);
        } else if (c === 0x3b) {
          this.endStatement();
          if (this.hold) release(i + 1);
        } else if (this.statement.length < 512) {
          if (this.statement.trim() === '' && !/\s/.test(String.fromCharCode(c)) && !this.hold) {
            // A statement starts: hold it until it shows it is no COPY.
            emit(data.subarray(from, i));
            from = i;
            this.hold = [];
          }
          this.statement += String.fromCharCode(c);
          const head = this.statement.trimStart();
          if (this.hold && head.length >= 5 && !/^copy\b/i.test(head)) release(i + 1);
        }
        if (c === 0x0a && this.copyPending) {
          this.copyPending = false;
          this.lex = { kind: 'copy', atLineStart: true };
          this.prev = c;
          i++;
          continue;
        }
      }
      this.prev = c;
      i++;
    }
    if (this.lex.kind !== 'meta' && data.length > from) emit(data.subarray(from));
    return pass.length === 1 ? pass[0]! : Buffer.concat(pass);
  }

  private endStatement(): void {
    const text = this.statement.trim().replace(/\s+/g, ' ');
    this.statement = '';
    if (!/^copy\b/i.test(text)) return;
    if (/\bprogram\b/i.test(text)) throw new UnsafeScriptError(this.line, 'a COPY … PROGRAM statement, which would run a command on the database server');
    if (/\bfrom stdin$/i.test(text)) this.copyPending = true;
  }

  private checkMeta(text: string): void {
    const line = `\\${text}`.replace(/\r$/, '').replace(/\s+$/, '');
    if (!ALLOWED_META.some((re) => re.test(line))) {
      const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
      throw new UnsafeScriptError(this.line, `the psql command "${shown}" (only \\connect, \\restrict and \\unrestrict, as pg_dump writes them, are allowed)`);
    }
  }
}
