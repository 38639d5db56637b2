/// <reference lib="dom" />
/** Frame timing in the page: a requestAnimationFrame loop recording every gap between frames. */
import type { Page } from '@playwright/test';

export interface FrameFigures {
  count: number;
  p95: number;
  max: number;
  seconds: number;
}

interface Recorder {
  gaps: number[];
  last: number;
  since: number;
}

export async function installFrameRecorder(page: Page): Promise<void> {
  await page.evaluate(() => {
    const f: Recorder = { gaps: [], last: performance.now(), since: performance.now() };
    (window as unknown as { __frames: Recorder }).__frames = f;
    const tick = (t: number) => {
      f.gaps.push(t - f.last);
      f.last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

export async function resetFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const f = (window as unknown as { __frames: Recorder }).__frames;
    f.gaps = [];
    f.since = performance.now();
  });
}

export function readFrames(page: Page): Promise<FrameFigures> {
  return page.evaluate(() => {
    const f = (window as unknown as { __frames: Recorder }).__frames;
    // The first gap spans the reset itself: not a frame the user saw.
    const gaps = f.gaps.slice(1).sort((a, b) => a - b);
    return {
      count: gaps.length,
      p95: gaps[Math.floor(gaps.length * 0.95)] ?? 0,
      max: gaps[gaps.length - 1] ?? 0,
      seconds: (performance.now() - f.since) / 1000,
    };
  });
}
