import { afterEach, describe, expect, it, vi } from 'vitest';
import { afterNextPaint } from './afterNextPaint';

// The unit project runs in Node: the frame callbacks are stood in for on globalThis.
const g = globalThis as unknown as { requestAnimationFrame?: (cb: () => void) => number; cancelAnimationFrame?: (id: number) => void };

afterEach(() => {
  delete g.requestAnimationFrame;
  delete g.cancelAnimationFrame;
  vi.useRealTimers();
});

describe('afterNextPaint', () => {
  it('resolves in the task after the next frame, not before it', async () => {
    vi.useFakeTimers();
    let frame: (() => void) | undefined;
    g.requestAnimationFrame = (cb) => ((frame = cb), 1);
    g.cancelAnimationFrame = () => undefined;
    let done = false;
    void afterNextPaint(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(50);
    expect(done).toBe(false); // no frame yet
    frame!();
    expect(done).toBe(false); // the frame is being painted: still not
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
  });

  it('resolves after atMostMs in a page that paints no frames (a hidden tab)', async () => {
    vi.useFakeTimers();
    const cancelled: number[] = [];
    g.requestAnimationFrame = () => 7;
    g.cancelAnimationFrame = (id) => cancelled.push(id);
    let done = false;
    void afterNextPaint(250).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(249);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(cancelled).toEqual([7]);
  });

  it('resolves at once where there are no frames at all', async () => {
    await expect(afterNextPaint()).resolves.toBeUndefined();
  });
});
