/**
 * A child process for heap-accounting.test.ts: ~1 GiB through 256 KiB Buffers it does not keep
 * (a window of 40, as a stream holds a few chunks), beside ~20 MB of objects it does. Run with
 * `--trace-gc`; `count` as its argument asks for the flag first. Prints whether it was set.
 */
import { countBuffersInHeapLimit } from '../heap-accounting.js';

const set = process.argv[2] === 'count' ? countBuffersInHeapLimit() : false;
const kept = Array.from({ length: 200_000 }, (_, i) => ({ i, name: `object ${i}`, list: [i, i + 1] }));
const window: Buffer[] = [];
for (let i = 0; i < 4096; i++) {
  const b = Buffer.allocUnsafe(256 * 1024);
  b[0] = i & 0xff;
  window.push(b);
  if (window.length > 40) window.shift();
}
console.log(`flag set: ${set}; kept ${kept.length}`);
