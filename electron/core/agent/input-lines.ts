/**
 * Lines of a command's stdin, one at a time (the rest stays unread): a console's restore sends the
 * agent its request as a first line at once, then — after its pre-flight — an empty line to begin
 * (direct-restore.ts). A line cut short by the end of the input is said so (`terminated: false`):
 * that is a request sent the older way, all of stdin at the moment of restoring.
 */
export interface InputLine {
  text: string;
  /** false: the input ended before a newline closed this line. */
  terminated: boolean;
}

/** A request is a few KiB (a repository's settings, keys); more is not a request. */
export const MAX_LINE_BYTES = 16 << 20;

/** All of a command's stdin, as text (a request sent whole). */
export async function inputText(input: AsyncIterable<Buffer | string>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(parts).toString('utf8');
}

export function inputLines(input: AsyncIterable<Buffer | string>, maxBytes = MAX_LINE_BYTES): { next(): Promise<InputLine | null> } {
  const chunks = input[Symbol.asyncIterator]();
  let buffered = '';
  let ended = false;
  return {
    async next() {
      for (;;) {
        const nl = buffered.indexOf('\n');
        if (nl >= 0) {
          const text = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          return { text, terminated: true };
        }
        if (buffered.length > maxBytes) throw new Error(`a line of more than ${maxBytes} bytes on stdin`);
        if (ended) {
          if (!buffered) return null;
          const text = buffered;
          buffered = '';
          return { text, terminated: false };
        }
        const r = await chunks.next();
        if (r.done) ended = true;
        else buffered += typeof r.value === 'string' ? r.value : r.value.toString('utf8');
      }
    },
  };
}
