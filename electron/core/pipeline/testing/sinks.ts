/** Test helpers: sinks that measure, slow down or fail, and a runner for the real CLIs. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';

/** Hashes what it receives; optionally slow (ms per write, or a rate); records how it was destroyed. */
export class MeasuringSink extends Writable {
  bytes = 0;
  writes = 0;
  destroyedWith: Error | null | undefined = undefined;
  finished = false;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly opts: { delayMs?: number; bytesPerSecond?: number; onWrite?: (sink: MeasuringSink) => void; highWaterMark?: number } = {},
  ) {
    super({ highWaterMark: opts.highWaterMark });
  }

  get sha256(): string {
    return this.hash.copy().digest('hex');
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    this.writes++;
    this.hash.update(chunk);
    this.opts.onWrite?.(this);
    const delay = (this.opts.delayMs ?? 0) + (this.opts.bytesPerSecond ? (chunk.length / this.opts.bytesPerSecond) * 1000 : 0);
    if (delay > 0) setTimeout(cb, delay);
    else cb();
  }

  override _final(cb: (error?: Error | null) => void): void {
    this.finished = true;
    cb();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.destroyedWith = err;
    cb(err);
  }
}

export interface CliResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command with optional stdin (a Buffer); collects stdout (small outputs only). */
export function runCli(command: string, args: string[], input?: Buffer | string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Runs a shell pipeline and returns the sha256 of its stdout without keeping the output. */
export function shellSha256(script: string, input?: string): Promise<{ code: number | null; sha256: string; bytes: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, sha256: hash.digest('hex'), bytes, stderr: err }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
