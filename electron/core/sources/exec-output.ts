/**
 * What an exec'd command says besides its data, kept bounded (pure, unit-tested):
 *  - `BoundedText` keeps the head and the tail of a byte stream (errors are usually at the end,
 *    the first lines often say what went wrong first), dropping the middle past a limit;
 *  - `PidMarker` peels the wrapper's first stderr line ("hindsight-exec-pid <pid>") off the
 *    stream: the process id inside the container, so an aborted command can be killed (the
 *    engine has no API to kill an exec; closing its connection leaves the process blocked on a
 *    full pipe or, for a restore, lets it treat the cut as a clean end of input).
 */

export const PID_MARKER = 'hindsight-exec-pid';

/**
 * Wraps a command so it first reports its pid on stderr, then becomes the command (exec keeps the
 * pid). Arguments travel as positional parameters: nothing is re-parsed by the shell.
 */
export function withPidReport(cmd: string[]): string[] {
  return ['sh', '-c', `echo "${PID_MARKER} $$" >&2 && exec "$@"`, PID_MARKER, ...cmd];
}

export class BoundedText {
  private head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private dropped = 0;

  constructor(
    private readonly headLimit = 4 * 1024,
    private readonly tailLimit = 28 * 1024,
  ) {}

  push(bytes: Buffer): void {
    let rest = bytes;
    if (this.headSize < this.headLimit) {
      const take = rest.subarray(0, this.headLimit - this.headSize);
      this.head.push(Buffer.from(take));
      this.headSize += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.tail.push(Buffer.from(rest));
    this.tailSize += rest.length;
    while (this.tailSize > this.tailLimit) {
      const first = this.tail[0]!;
      const over = this.tailSize - this.tailLimit;
      if (first.length <= over) {
        this.tail.shift();
        this.tailSize -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(over);
        this.tailSize -= over;
        this.dropped += over;
      }
    }
  }

  /** Total bytes seen. */
  get size(): number {
    return this.headSize + this.tailSize + this.dropped;
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped ? `${head}\n…[${this.dropped} bytes left out]…\n${tail}` : head + tail;
  }
}

/** Splits the pid report off the start of stderr; everything else passes to `onRest`. */
export class PidMarker {
  pid: number | undefined;
  private pending: Buffer | undefined = Buffer.alloc(0);

  constructor(private readonly onRest: (bytes: Buffer) => void) {}

  push(bytes: Buffer): void {
    if (!this.pending) return this.onRest(bytes);
    const joined = Buffer.concat([this.pending, bytes]);
    const nl = joined.indexOf(0x0a);
    // The marker line is short; anything else (a shell error before it) is passed on untouched.
    if (nl === -1 && joined.length < 64) {
      this.pending = joined;
      return;
    }
    this.pending = undefined;
    const line = nl === -1 ? '' : joined.toString('utf8', 0, nl);
    const m = new RegExp(`^${PID_MARKER} (\\d+)$`).exec(line);
    if (m) {
      this.pid = Number(m[1]);
      if (joined.length > nl + 1) this.onRest(joined.subarray(nl + 1));
    } else {
      this.onRest(joined);
    }
  }

  /** At the end of the stream: what was held back, if it never became a marker line. */
  end(): void {
    if (this.pending?.length) this.onRest(this.pending);
    this.pending = undefined;
  }
}
