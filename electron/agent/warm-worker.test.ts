import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepWarmWorker } from './warm-worker.js';

/** A stand-in for a worker process: what keepWarmWorker listens to and calls. */
class FakeWorker extends EventEmitter {
  killed: string | undefined;
  unref = vi.fn();
  kill(sig: string) {
    this.killed = sig;
    return true;
  }
  take() {
    this.emit('message', { taken: true });
  }
  exit(code = 0) {
    this.emit('exit', code, null);
  }
}

let started: FakeWorker[];
const start = () => {
  const w = new FakeWorker();
  started.push(w);
  return w as unknown as ChildProcess;
};

beforeEach(() => {
  started = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('keepWarmWorker', () => {
  it('keeps one waiting; the next starts when the command that took it has ended, not before', () => {
    const keeper = keepWarmWorker(start);
    expect(started).toHaveLength(1);
    started[0]!.take();
    expect(started).toHaveLength(1); // a command runs: no second worker beside it
    expect(started[0]!.unref).toHaveBeenCalled();
    started[0]!.exit(0);
    expect(started).toHaveLength(2);
    started[1]!.take();
    started[1]!.exit(1); // a failed command is a command that ended
    expect(started).toHaveLength(3);
    keeper.stop();
  });

  it('a worker that dies before taking a command is started again after a pause that grows', () => {
    const keeper = keepWarmWorker(start);
    started[0]!.exit(1);
    expect(started).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(started).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(started).toHaveLength(2);
    started[1]!.exit(1);
    vi.advanceTimersByTime(1999);
    expect(started).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(started).toHaveLength(3);
    // One that takes a command resets the pause.
    started[2]!.take();
    started[2]!.exit(0);
    started[3]!.exit(1);
    vi.advanceTimersByTime(1000);
    expect(started).toHaveLength(5);
    keeper.stop();
  });

  it('stop ends the waiting worker and starts no other', () => {
    const keeper = keepWarmWorker(start);
    started[0]!.take();
    started[0]!.exit(0);
    keeper.stop();
    expect(started[1]!.killed).toBe('SIGTERM');
    started[1]!.exit(0);
    vi.advanceTimersByTime(120_000);
    expect(started).toHaveLength(2);
  });
});
